/**
 * Goal: the HTML report works in a real browser, from a real failing run. In headless
 * Chromium the report of `windows-cancel-nested-subflows` run with bug profile
 * prefect-17792 draws its timeline, the cancel violation's marker is visible on the run's
 * lane, selecting it shows the clause in the details panel, the surviving process's lane
 * is there, and every machine of the suite's coverage is drawn; the report of the
 * 1,000-request burst scenario (`burst-while-consumers-change`) opens, and how long that
 * took is printed (not asserted: it depends on the machine).
 *
 * Method: both scenarios run once, together, through `runSuite` against the reference
 * engine (the profile changes nothing in a burst); `writeReports` writes one report of
 * both and one of the burst alone into a temporary folder. Debian's Chromium
 * (/usr/bin/chromium; .ci/run installs it when absent, so CI never skips this test),
 * driven by playwright-core, opens them from `file://` addresses: the report must work
 * offline, and every request the page makes is recorded and must be the file itself.
 * Chromium runs as root here, so without its sandbox, and with background networking
 * off. Its processes are listed before it is closed, and the test fails if any outlives
 * the close (they are then killed by pid). A screenshot of the failing scenario is saved
 * as reports/out/html-report.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../harness/cli/commands/run.ts';
import type { SuiteResult } from '../../harness/result.ts';
import { runSuite } from '../../harness/suite.ts';
import { descendantsOf, isAliveInProc } from '../../os/proc.ts';
import { killPids } from '../../os/kill.ts';
import { writeReports } from '../../reports/write.ts';
import { loadScenarioFile } from '../../scenarios/schema/load.ts';
import { checkoutRoot } from '../support/global-teardown.ts';

/** Debian's Chromium, the browser CI installs (.ci/run). */
const chromiumPath = '/usr/bin/chromium';
/**
 * As root Chromium cannot use its sandbox; background networking, component updates and
 * sync are off because this machine's network is closed, and Chromium would otherwise
 * keep trying to reach Google's hosts. Playwright adds --headless and a fresh
 * --user-data-dir of its own (and removes it on close).
 */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const failingScenario = 'windows-cancel-nested-subflows';
const burstScenario = 'burst-while-consumers-change';
const screenshotPath = path.join(checkoutRoot, 'reports/out/html-report.png');
/** How long the page may take to draw (wall ms): generous, for a loaded CI machine; the burst's time is printed, not asserted. */
const drawWaitMsMax = 60_000;
/** How long Chromium's processes may take to end after close (wall ms). */
const browserExitWaitMsMax = 5_000;

let workDir = '';
let suite: SuiteResult;
let server: BrowserServer | undefined;
let browser: Browser | undefined;
/** Every Chromium process seen: the browser's and its descendants'. */
const chromiumPids = new Set<number>();

function noteChromiumProcesses(): void {
  const browserPid = server?.process().pid;
  if (browserPid === undefined) return;
  chromiumPids.add(browserPid);
  for (const pid of descendantsOf(browserPid)) chromiumPids.add(pid);
}

/**
 * Opens a report in a new page; resolves when its timelines are drawn, with the page,
 * every URL it requested, and the open time: from the call to `goto` to the moment the
 * page marked its timelines drawn (its own clock, `performance.timeOrigin` plus
 * `data-timelines-ms`, so the time this test takes to notice is not counted).
 */
async function openReport(file: string): Promise<{ page: Page; requests: string[]; openMs: number; navigationMs: number }> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const started = Date.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => document.documentElement.dataset['timelines'] !== undefined, null, { timeout: drawWaitMsMax });
  noteChromiumProcesses();
  const state: Record<string, string | undefined> = await page.evaluate(() => ({ ...document.documentElement.dataset, timeOrigin: String(performance.timeOrigin) }));
  expect(errors, 'errors thrown in the page').toEqual([]);
  expect(state['timelines'], `the page says: ${state['error'] ?? ''}`).toBe('ready');
  const navigationMs = Number(state['timelinesMs']);
  return { page, requests, openMs: Math.round(Number(state['timeOrigin']) + navigationMs - started), navigationMs };
}

beforeAll(async () => {
  expect(existsSync(chromiumPath), `${chromiumPath} is missing: install Debian's chromium (.ci/run does)`).toBe(true);
  workDir = await mkdtemp(path.join(tmpdir(), 'flowconform-html-browser-'));
  const scenarios = await Promise.all(
    [failingScenario, burstScenario].map((name) => loadScenarioFile(path.join(checkoutRoot, 'scenarios', `${name}.yaml`))),
  );
  suite = await runSuite(scenarios, { command: 'run', bug: 'prefect-17792', seed: 1, jobs: 2, traceDir: path.join(workDir, 'both', 'traces') });
  await writeReports(suite, path.join(workDir, 'both'), { replayCommandFor: replayCommand });
  const burst = suite.results.find((result) => result.scenario === burstScenario)!;
  await writeReports({ ...suite, results: [burst] }, path.join(workDir, 'burst'), { replayCommandFor: replayCommand });
  server = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
  noteChromiumProcesses();
  browser = await chromium.connect(server.wsEndpoint());
}, 180_000);

afterAll(async () => {
  noteChromiumProcesses();
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  const deadline = Date.now() + browserExitWaitMsMax;
  let alive = [...chromiumPids].filter(isAliveInProc);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(50);
    alive = alive.filter(isAliveInProc);
  }
  // Killed by pid, so that a failure here leaves nothing behind; then reported.
  const unkillable = await killPids(alive, browserExitWaitMsMax);
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  expect(alive, 'Chromium processes alive after the browser was closed').toEqual([]);
  expect(unkillable).toEqual([]);
}, 30_000);

describe('the HTML report in Chromium', () => {
  it('opens the 1,000-request burst report and prints how long it took', async () => {
    const burst = suite.results.find((result) => result.scenario === burstScenario)!;
    const requestCount = burst.trace.filter((event) => event.kind === 'request' && event.op === 'start-process-instance').length;
    expect(requestCount).toBe(1000);
    const { page, requests, openMs, navigationMs } = await openReport(path.join(workDir, 'burst', 'index.html'));
    try {
      const section = page.locator(`[data-scenario="${burstScenario}"]`);
      expect(await section.locator('[data-testid="timeline"] svg').first().isVisible()).toBe(true);
      expect(await section.locator('ul.notes').innerText()).toMatch(/requests: \d+ answers drawn as \d+ markers/);
      expect(requests).toEqual([pathToFileURL(path.join(workDir, 'burst', 'index.html')).href]);
      console.log(
        `html-browser: the report of ${burstScenario} (${requestCount} requests, ${burst.trace.length} trace events) opened in Chromium in ${openMs} ms (goto to drawn timeline; ${navigationMs} ms of it from the start of navigation)`,
      );
    } finally {
      await page.close();
    }
  }, 120_000);

  it('marks the cancel violation on the run lane, shows its clause when selected, and shows the survivor and the machines', async () => {
    const { page, requests } = await openReport(path.join(workDir, 'both', 'index.html'));
    try {
      const section = page.locator(`[data-scenario="${failingScenario}"]`);
      const marker = section.locator('[data-testid="violation-marker"][data-clause="RUN-CANCEL-01"]').first();
      expect(await marker.isVisible()).toBe(true);

      // On the run's lane: the marker's centre is level with the lane's axis label.
      const timeline = section.locator('[data-testid="timeline"]');
      const runLabel = timeline.locator('svg text', { hasText: /^run nightly$/ });
      const [markerBox, labelBox] = [await marker.boundingBox(), await runLabel.boundingBox()];
      expect(Math.abs(markerBox!.y + markerBox!.height / 2 - (labelBox!.y + labelBox!.height / 2))).toBeLessThan(9);
      // The root's process outlived the cancel: its lane is there, named as a survivor.
      expect(await timeline.locator('svg text', { hasText: /^pid \d+ nightly \(survived\)$/ }).count()).toBe(1);

      const panel = section.locator('[data-testid="violation-details"]');
      expect(await panel.isVisible()).toBe(false);
      await marker.click();
      await panel.waitFor({ state: 'visible' });
      const text = await panel.innerText();
      expect(text).toMatch(/^RUN-CANCEL-01 violated/);
      expect(text).toContain('MUST');
      expect(text).toContain('Trace excerpt');
      expect(await panel.getAttribute('data-clause')).toBe('RUN-CANCEL-01');

      // The diagrams are drawn when the coverage section comes near the screen.
      await page.locator('#coverage').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.documentElement.dataset['diagrams'] !== undefined, null, { timeout: drawWaitMsMax });
      expect(await page.evaluate(() => document.documentElement.dataset['diagrams'])).toBe('ready');
      const machines = suite.coverage?.machines.length ?? 0;
      expect(machines).toBeGreaterThan(0);
      expect(await page.locator('[data-testid="machine-diagram"] .diagram svg').count()).toBe(machines);
      expect(requests).toEqual([pathToFileURL(path.join(workDir, 'both', 'index.html')).href]);

      await mkdir(path.dirname(screenshotPath), { recursive: true });
      await section.screenshot({ path: screenshotPath });
    } finally {
      await page.close();
    }
  }, 120_000);
});
