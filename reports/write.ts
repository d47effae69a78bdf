/**
 * Writes a suite's reports to a directory. The only module in reports/ with effects; it
 * renders with the pure formatters and writes what they return.
 *
 * Layout of `outDir`:
 * - `summary.json`: `toSummaryJson`, two-space indented;
 * - `junit.xml`: `toJunitXml`;
 * - `index.html`: `toHtmlReport` (reports/html/), one self-contained page with the
 *   library bundles it draws with read from node_modules now and inlined; it links each
 *   failed scenario's REPRO.md below;
 * - `<scenario-name>/REPRO.md`: `formatRepro`, for each failed or inconclusive scenario
 *   only (a passing or not-applicable one has nothing to reproduce).
 *
 * Hazard: files already in `outDir` are overwritten when their names repeat and otherwise
 * left alone (nothing is deleted, since `--out` may name any directory), so a REPRO.md
 * from an earlier run can remain beside the new ones. Trust `summary.json` for the list.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScenarioOutcome, ScenarioResult, SuiteResult } from '../harness/result.ts';
import { readHtmlReportAssets } from './html/assets.ts';
import { toHtmlReport } from './html/page.ts';
import { toJunitXml } from './junit.ts';
import { formatRepro, type ReproExtra } from './repro.ts';
import { toSummaryJson } from './summary-json.ts';

export interface WriteReportsOptions {
  /** The one-line shell command that replays this scenario (goes into its REPRO.md). */
  replayCommandFor(result: ScenarioResult): string;
  /** How exploration found the scenario, when it did (seed, path, shrinks). */
  extraFor?(result: ScenarioResult): ReproExtra | undefined;
}

/**
 * A directory name for a scenario's report: the scenario name with anything but letters,
 * digits, `.`, `_` and `-` replaced by `-`, never empty, `.` or `..`, and suffixed `-2`,
 * `-3`, … when the name is already in `taken` (several results of one scenario in a suite).
 */
export function reproDirectoryName(scenario: string, taken: ReadonlySet<string>): string {
  let base = scenario.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^\.+/, '');
  if (base === '') base = 'scenario';
  let name = base;
  for (let suffix = 2; taken.has(name); suffix += 1) name = `${base}-${suffix}`;
  return name;
}

/**
 * Whether a scenario with this outcome gets a REPRO.md: failed and inconclusive ones only.
 *
 * @throws Error when `outcome` is not a known outcome.
 */
export function needsRepro(outcome: ScenarioOutcome): boolean {
  // Exhaustive, so that a new outcome is decided here rather than reported by default.
  switch (outcome) {
    case 'fail':
    case 'inconclusive':
      return true;
    case 'pass':
    case 'not-applicable':
      return false;
    default: {
      const unhandled: never = outcome;
      throw new Error(`needsRepro: unknown outcome '${String(unhandled)}'`);
    }
  }
}

/**
 * The directory name of each result's REPRO.md (`reproDirectoryName`, in suite order), or
 * null for a result that gets none: the one assignment both writeReports and the HTML
 * report's links use.
 */
export function reproDirectoryNames(results: readonly Pick<ScenarioResult, 'scenario' | 'outcome'>[]): Array<string | null> {
  const taken = new Set<string>();
  return results.map((result) => {
    if (!needsRepro(result.outcome)) return null;
    const directoryName = reproDirectoryName(result.scenario, taken);
    taken.add(directoryName);
    return directoryName;
  });
}

/**
 * Creates `outDir` (and parents) and writes the reports of `suite` into it. Resolves to
 * the paths written, each `path.join(outDir, …)`, in the order written: summary.json,
 * junit.xml, index.html, then the REPRO.md files in suite order. Rejects with the file
 * system's error when a directory cannot be created, a file cannot be written, or a
 * library bundle the HTML report inlines cannot be read.
 */
export async function writeReports(
  suite: SuiteResult,
  outDir: string,
  options: WriteReportsOptions,
): Promise<{ files: string[] }> {
  const files: string[] = [];
  await mkdir(outDir, { recursive: true });

  const summaryPath = path.join(outDir, 'summary.json');
  await writeFile(summaryPath, `${JSON.stringify(toSummaryJson(suite), null, 2)}\n`, 'utf8');
  files.push(summaryPath);

  const junitPath = path.join(outDir, 'junit.xml');
  await writeFile(junitPath, toJunitXml(suite), 'utf8');
  files.push(junitPath);

  const directoryNames = reproDirectoryNames(suite.results);
  // Each REPRO.md once: written below, and shown in the HTML report.
  const repros = suite.results.map((result, index) => {
    if (directoryNames[index] === null) return null;
    const extra = options.extraFor?.(result);
    return formatRepro(result, {
      replayCommand: options.replayCommandFor(result),
      environment: suite.environment,
      engine: suite.engine,
      ...(extra === undefined ? {} : { extra }),
    });
  });
  const htmlPath = path.join(outDir, 'index.html');
  const html = toHtmlReport(suite, {
    assets: await readHtmlReportAssets(),
    replayCommandFor: options.replayCommandFor,
    reproFor: (_result, index) => repros[index] ?? null,
    reproLinkFor: (_result, index) => {
      const directoryName = directoryNames[index];
      return directoryName === null || directoryName === undefined ? null : `${encodeURIComponent(directoryName)}/REPRO.md`;
    },
  });
  await writeFile(htmlPath, html, 'utf8');
  files.push(htmlPath);

  for (const [index, markdown] of repros.entries()) {
    const directoryName = directoryNames[index];
    if (markdown === null || directoryName === null || directoryName === undefined) continue;
    const directory = path.join(outDir, directoryName);
    await mkdir(directory, { recursive: true });
    const reproPath = path.join(directory, 'REPRO.md');
    await writeFile(reproPath, markdown, 'utf8');
    files.push(reproPath);
  }
  return { files };
}
