/**
 * Goal: the command line is a stable surface CI scripts depend on (docs/architecture.md "Command
 * line"): the inventories print, usage mistakes and bad scenario or trace files exit 2
 * with a message naming what is wrong and where, a conformant run exits 0 and writes
 * summary.json, junit.xml and a trace, a run that violates a clause exits 1 and writes a
 * REPRO.md an upstream maintainer can act on, and `check` re-judges a stored trace with
 * the same exit codes (0, 1, 2, 3). No CLI run leaves a flow-worker process alive.
 *
 * Method: most cases call `main(argv)` in this process and capture what it prints by
 * spying on console.log/console.error and process.stdout/stderr.write (commander writes
 * its usage errors there). The conformant run, and one usage error, spawn the real
 * `node bin/flowconform.js` with an argument array (no shell), to show the exit code
 * reaches the operating system. Files go to a temporary directory removed at the end.
 * For the leak check, every engine records its session as `fc-<pid>-…`, <pid> being the
 * process that made it: this test worker, or a CLI process spawned here; afterwards no
 * live flow-worker may carry such a session unless it was already alive before.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../support/run-main.ts';
import { clauseById } from '../../spec/clauses/registry.ts';
import { livePidsOfSession, sessionPrefixOf } from '../harness/session-processes.ts';

/** The reference engine's bug profiles (its handshake lists them; `flowconform bugs` prints them). */
const bugProfileIds = ['prefect-17792', 'prefect-17764', 'conductor-303', 'dolphinscheduler-16572'];

const checkoutRoot = fileURLToPath(new URL('../..', import.meta.url));
const binPath = path.join(checkoutRoot, 'bin', 'flowconform.js');

/** A small conformant scenario that starts a real process tree (about 0.6 s). */
const passingScenario = 'scenarios/windows-cancel-nested-subflows.yaml';
const passingName = 'windows-cancel-nested-subflows';
/** The seed of dolphinscheduler-16572: no processes, fails in about 3.5 s with the profile on. */
const failingScenario = 'scenarios/burst-while-consumers-change.yaml';
const failingName = 'burst-while-consumers-change';
const failingBug = 'dolphinscheduler-16572';

/** Bound on one spawned CLI process (ms): tsx start-up plus a sub-second scenario, with room. */
const cliProcessMsMax = 30_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Pids of the CLI processes this file spawned; their engines' sessions start with `fc-<pid>-`. */
const spawnedCliPids: number[] = [];

/** Runs `node bin/flowconform.js …args` from the checkout root, without a shell; killed after `cliProcessMsMax`. */
function runCli(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env['FORCE_COLOR'];
    const child = spawn(process.execPath, [binPath, ...args], { cwd: checkoutRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) spawnedCliPids.push(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), cliProcessMsMax);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== null) reject(new Error(`flowconform ${args.join(' ')} ended by ${signal}; stderr: ${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

let workDir = '';
/** Session processes alive before this file ran anything: not this file's to answer for. */
let pidsAliveBefore = new Set<number>();

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'flowconform-cli-test-'));
  pidsAliveBefore = new Set(livePidsOfSession('fc-', true));
});

afterAll(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

describe('inventories', () => {
  it('clauses --json prints the clause list as JSON and exits 0', async () => {
    const { code, stdout } = await runMain(['clauses', '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as Array<{ id: string; must: string }>;
    expect(Array.isArray(parsed)).toBe(true);
    expect(parsed.length).toBeGreaterThanOrEqual(20);
    expect(parsed.every((clause) => typeof clause.id === 'string' && clause.must.includes('MUST'))).toBe(true);
    expect(parsed.map((clause) => clause.id)).toContain('INSTANCE-01');
  });

  it('bugs lists the reference engine\'s profiles and exits 0', async () => {
    const { code, stdout } = await runMain(['bugs']);
    expect(code).toBe(0);
    expect(bugProfileIds).toHaveLength(4);
    for (const id of bugProfileIds) expect(stdout).toMatch(new RegExp(`^${id}  `, 'm'));
  });
});

describe('usage errors exit 2', () => {
  it('an unknown option', async () => {
    const { code, stderr } = await runMain(['run', '--frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--frobnicate'");
  });

  it('an unknown option, through a real process', async () => {
    const { code, stderr } = await runCli(['clauses', '--frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--frobnicate'");
  }, cliProcessMsMax);

  it('an unknown bug profile, naming the known ones', async () => {
    const out = path.join(workDir, 'bug-nope');
    const { code, stderr } = await runMain(['run', passingScenario, '--bug', 'nope', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain("no bug profile 'nope'");
    for (const id of bugProfileIds) expect(stderr).toContain(id);
    expect(existsSync(out), 'nothing ran, so nothing was written').toBe(false);
  });
});

describe('malformed scenario files exit 2, naming file, line and field', () => {
  const cases = [
    {
      title: 'unparsable YAML',
      name: 'unparsable.yaml',
      lines: ['name: unparsable', 'description: a flow map that never closes', 'steps:', '  - start: {run: r1', '  - cancel: {run: r1}'],
      line: 5,
      field: '(root)',
      problem: 'YAML syntax error',
    },
    {
      title: 'an unknown step',
      name: 'unknown-step.yaml',
      lines: ['name: unknown-step', 'description: a misspelt step', 'steps:', '  - start: {run: r1}', '  - cancle:', '      run: r1'],
      line: 5,
      field: 'steps[1]',
      problem: "unknown step 'cancle'",
    },
    {
      title: 'a value of the wrong type',
      name: 'wrong-type.yaml',
      lines: ['name: wrong-type', 'description: a duration that is not a number', 'steps:', '  - start:', '      run: r1', '      durationMs: soon'],
      line: 6,
      field: 'steps[0].start.durationMs',
      problem: 'expected number',
    },
  ];

  it.each(cases)('$title', async ({ name, lines, line, field, problem }) => {
    const file = path.join(workDir, name);
    await writeFile(file, `${lines.join('\n')}\n`);
    const out = path.join(workDir, `out-${name}`);
    const { code, stderr } = await runMain(['run', file, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:${line}:`);
    expect(stderr).toContain(`: ${field}: `);
    expect(stderr).toContain(problem);
    expect(existsSync(path.join(out, 'summary.json')), 'no scenario ran').toBe(false);
  });
});

describe('run and check', () => {
  const passingOut = () => path.join(workDir, 'passing');
  const failingOut = () => path.join(workDir, 'failing');
  const passingTrace = () => path.join(passingOut(), 'traces', `${passingName}.jsonl`);
  const failingTrace = () => path.join(failingOut(), 'traces', `${failingName}.jsonl`);
  let passingRun: Outcome | undefined;
  let failingRun: Outcome | undefined;

  beforeAll(async () => {
    // The conformant run goes through a real process; the failing one runs in-process.
    passingRun = await runCli(['run', passingScenario, '--out', passingOut()]);
    failingRun = await runMain(['run', failingScenario, '--bug', failingBug, '--out', failingOut()]);
  }, 2 * cliProcessMsMax);

  it('a conformant run exits 0 and writes summary.json, junit.xml and its trace', async () => {
    expect(passingRun?.code, passingRun?.stderr).toBe(0);
    const summary = JSON.parse(await readFile(path.join(passingOut(), 'summary.json'), 'utf8')) as {
      exitCode: number;
      scenarios: Array<{ name: string; outcome: string; tracePath: string | null }>;
    };
    expect(summary.exitCode).toBe(0);
    expect(summary.scenarios.map((scenario) => [scenario.name, scenario.outcome])).toEqual([[passingName, 'pass']]);
    expect(path.resolve(checkoutRoot, summary.scenarios[0]!.tracePath!)).toBe(passingTrace());

    const junit = await readFile(path.join(passingOut(), 'junit.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml/);
    expect(junit).toContain(`<testsuite name="${passingName}"`);
    expect(junit).not.toContain('<failure');

    const events = (await readFile(passingTrace(), 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { kind: string; outcome?: string; action?: string });
    expect(events[0]?.kind).toBe('meta');
    expect(events.at(-1)).toMatchObject({ kind: 'end', outcome: 'completed' });
    expect(events.some((event) => event.kind === 'process' && event.action === 'spawn'), 'the run started workers').toBe(true);
    expect(existsSync(path.join(passingOut(), passingName, 'REPRO.md')), 'no REPRO.md for a pass').toBe(false);
  });

  it('a run that violates a clause exits 1 and writes a REPRO.md with the clause and the replay command', async () => {
    expect(failingRun?.code, failingRun?.stderr).toBe(1);
    const repro = await readFile(path.join(failingOut(), failingName, 'REPRO.md'), 'utf8');
    expect(repro).toContain('INSTANCE-01');
    expect(repro).toContain(clauseById('INSTANCE-01').must);
    expect(repro).toContain('npx flowconform replay');
    expect(repro).toContain(`${failingScenario} --bug ${failingBug}`);
  });

  it('check of the conformant trace exits 0', async () => {
    const { code, stdout } = await runMain(['check', passingTrace()]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${passingTrace()}: `);
    expect(stdout).toContain('conformant');
  });

  it('check of a trace with a corrupted line exits 2 naming the line', async () => {
    const lines = (await readFile(passingTrace(), 'utf8')).split('\n');
    expect(lines.length).toBeGreaterThan(5);
    lines[2] = '{"seq": 2, "kind": "observe", oops';
    const corrupted = path.join(workDir, 'corrupted.jsonl');
    await writeFile(corrupted, lines.join('\n'));
    const { code, stderr } = await runMain(['check', corrupted]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${corrupted}:3: not JSON`);
  });

  it('check of the failing trace exits 1', async () => {
    const { code, stdout } = await runMain(['check', failingTrace()]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^VIOLATED INSTANCE-01 /m);
  });

  it('check of a trace that ends in a crash exits 3', async () => {
    const lines = (await readFile(passingTrace(), 'utf8')).split('\n').filter((line) => line !== '');
    const end = JSON.parse(lines.at(-1)!) as { kind: string; outcome: string; error?: string };
    expect(end).toMatchObject({ kind: 'end', outcome: 'completed' });
    lines[lines.length - 1] = JSON.stringify({ ...end, outcome: 'crash', error: 'engine crashed (edited by the test)' });
    const crashed = path.join(workDir, 'crashed.jsonl');
    await writeFile(crashed, `${lines.join('\n')}\n`);
    const { code } = await runMain(['check', crashed]);
    expect(code).toBe(3);
  });
});

describe('after the CLI runs', () => {
  it('no process of an engine they started is alive', () => {
    const prefixes = [sessionPrefixOf(process.pid), ...spawnedCliPids.map(sessionPrefixOf)];
    expect(spawnedCliPids.length).toBeGreaterThan(0);
    const leaked = prefixes.flatMap((prefix) => livePidsOfSession(prefix, true)).filter((pid) => !pidsAliveBefore.has(pid));
    expect(leaked).toEqual([]);
  });
});
