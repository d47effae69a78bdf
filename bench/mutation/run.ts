/**
 * The mutation self-test (issue 7, item 5; not part of `npm test`; prints figures,
 * asserts nothing). Goal: measure how many small defects in the reference engine's
 * lifecycle code the harness catches, and name every one it misses.
 *
 *   npx tsx bench/mutation/run.ts [--only id,id] [--explore-runs 60] [--seed 1] [--jobs 1] [--keep]
 *
 * Method:
 * 1. Copy the working tree (git's tracked and untracked files, so without node_modules/,
 *    dist/ and ignored output) into a temporary folder, with node_modules/ a symlink to
 *    this checkout's; build it. Nothing in this checkout is written.
 * 2. Baseline: run the scripted suite (`run scenarios --jobs 2`) and `explore --seed S
 *    --runs N` on the unchanged copy. Both must be conformant, or the bench stops: a kill
 *    means nothing against a baseline that fails.
 * 3. Per mutant of bench/mutation/catalogue.ts (`--jobs` at once): copy the built
 *    baseline (dist/ included, so the build is incremental), apply the one text edit,
 *    build, run the suite, and if it passes, the same explore budget. A failure counts
 *    only when it repeats: the scenarios that failed are run once more, and an explore
 *    counterexample is replayed once (the machine is shared; a timing bound missed once
 *    by a correct engine is noise, a mutant's defect repeats). The baseline is judged by
 *    the same rule. Classify:
 *    - killed: a clause violated twice (the clauses are listed);
 *    - killed-by-crash: inconclusive twice (the engine crashed, hung or broke the
 *      protocol), or an engine that cannot start: counted as killed, since the harness
 *      does not pass such an engine, and listed apart;
 *    - survived: the suite passes and explore finds nothing that repeats;
 *    - bench error: the anchor text is not found exactly once, the build fails (a mutant
 *      that does not compile changes no behaviour), a usage error, or a command that
 *      outlives its time bound: reported apart, not counted.
 * 4. Print a table (mutant, operator, result, clauses or reason, time) and the kill score
 *    = killed / (mutants − bench errors − mutants the catalogue marks equivalent).
 *
 * Every child is started in its own process group with TMPDIR inside the bench's
 * temporary folder. After each mutant, at the end, and on SIGINT / SIGTERM, every process
 * whose command line or working folder lies in the temporary folder is killed by pid (the
 * CLI is first sent SIGINT, so it ends its engines itself); then the folder is removed
 * (`--keep` leaves it, for reading a survivor's traces).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killPids } from '../../os/kill.ts';
import { listProcesses, readCommandLine } from '../../os/proc.ts';
import { mutants as catalogue, type Mutant } from './catalogue.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Time bounds of one child command (ms); exceeding one is a bench error, not a verdict. */
const buildMsMax = 300_000;
const suiteMsMax = 900_000;
const exploreMsMax = 1_800_000;
/** Explore's own search budget, well above N runs, so the budget is the run count (s). */
const exploreTimeLimitS = 1_500;
/** After SIGINT to a child's group, how long it may take to end its engines (ms). */
const interruptGraceMs = 10_000;
/** How long processes found by the sweep may take to die after SIGKILL (ms). */
const sweepWaitMsMax = 5_000;
/** Output kept per child stream (characters, the tail). */
const outputCharsMax = 200_000;

// ── Options ────────────────────────────────────────────────────────────────────────

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'explore-runs': { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    jobs: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});

function wholeNumber(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`bench/mutation: --${flag} must be a whole number ≥ ${min}, got '${text}'`);
    process.exit(2);
  }
  return value;
}

const exploreRuns = wholeNumber('explore-runs', values['explore-runs'], 1);
const seed = wholeNumber('seed', values.seed, 0);
const jobs = wholeNumber('jobs', values.jobs, 1);
const keep = values.keep;

const duplicateIds = catalogue.map((mutant) => mutant.id).filter((id, index, ids) => ids.indexOf(id) !== index);
if (duplicateIds.length > 0) {
  console.error(`bench/mutation: the catalogue has duplicate ids: ${duplicateIds.join(', ')}`);
  process.exit(2);
}
const selected: readonly Mutant[] = (() => {
  if (values.only === undefined) return catalogue;
  const ids = values.only.split(',').map((id) => id.trim()).filter((id) => id !== '');
  const unknown = ids.filter((id) => !catalogue.some((mutant) => mutant.id === id));
  if (unknown.length > 0) {
    console.error(`bench/mutation: --only: unknown mutant id(s) ${unknown.join(', ')} (known: ${catalogue.map((mutant) => mutant.id).join(', ')})`);
    process.exit(2);
  }
  return catalogue.filter((mutant) => ids.includes(mutant.id));
})();

// ── Results: data first ────────────────────────────────────────────────────────────

type Stage = 'suite' | 'explore';

type Verdict =
  | { kind: 'killed'; by: Stage; clauses: string[]; detail: string }
  | { kind: 'killed-by-crash'; by: Stage; detail: string }
  | { kind: 'survived'; detail: string }
  | { kind: 'bench-error'; detail: string };

interface MutantResult {
  mutant: Mutant;
  verdict: Verdict;
  durationMs: number;
  /** Processes of this mutant's copy still alive after its commands ended (count; 0 expected). */
  processesLeft: number;
}

interface CommandOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

// ── Children and cleanup ───────────────────────────────────────────────────────────

const tempRoot = mkdtempSync(path.join(tmpdir(), 'flowconform-mutation-'));
const childTmp = path.join(tempRoot, 'tmp');
mkdirSync(childTmp);
const liveChildren = new Set<ChildProcess>();
let interrupted = false;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Ask a child (a flowconform CLI) to stop with SIGINT, so it ends its engines; SIGKILL its group after interruptGraceMs. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  signalGroup(child, 'SIGINT');
  await Promise.race([closed, sleep(interruptGraceMs)]);
  signalGroup(child, 'SIGKILL');
}

/** Run `node <args>` in `cwd`, in its own process group, for at most `timeLimitMs`. */
function runNode(args: string[], cwd: string, timeLimitMs: number): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: childTmp, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    liveChildren.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-outputCharsMax)));
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-outputCharsMax)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void stopChild(child);
    }, timeLimitMs);
    child.on('error', (error) => {
      stderr += `\nspawn failed: ${error.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      resolve({ code, signal, stdout, stderr, timedOut, durationMs: performance.now() - started });
    });
  });
}

/** Pids of live processes whose command line or working folder lies under `folder`. */
function processesUnder(folder: string): number[] {
  const inside = `${folder}${path.sep}`;
  const pids: number[] = [];
  for (const stat of listProcesses()) {
    if (stat.pid === process.pid || stat.state === 'Z' || stat.state === 'X') continue;
    const commandLine = readCommandLine(stat.pid) ?? [];
    let cwd = '';
    try {
      cwd = readlinkSync(`/proc/${stat.pid}/cwd`);
    } catch {
      // Gone, or not ours to read.
    }
    if (cwd === folder || cwd.startsWith(inside) || commandLine.some((argument) => argument === folder || argument.includes(inside))) pids.push(stat.pid);
  }
  return pids;
}

/** SIGKILL by pid every process left under `folder`; returns how many there were. */
async function sweep(folder: string): Promise<number> {
  const pids = processesUnder(folder);
  const survivors = await killPids(pids, sweepWaitMsMax);
  if (survivors.length > 0) console.error(`bench/mutation: processes ${survivors.join(', ')} under ${folder} outlived SIGKILL`);
  return pids.length;
}

async function cleanUp(): Promise<void> {
  await Promise.all([...liveChildren].map(stopChild));
  const left = await sweep(tempRoot);
  if (left > 0) console.error(`bench/mutation: killed ${left} process(es) left under ${tempRoot}`);
  if (keep) console.log(`bench/mutation: copies kept in ${tempRoot}`);
  else rmSync(tempRoot, { recursive: true, force: true });
}

let results: MutantResult[] = [];

function onSignal(signal: NodeJS.Signals, code: number): void {
  if (interrupted) {
    // A second signal: no more waiting.
    for (const child of liveChildren) signalGroup(child, 'SIGKILL');
    for (const pid of processesUnder(tempRoot)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    if (!keep) rmSync(tempRoot, { recursive: true, force: true });
    process.exit(code);
  }
  interrupted = true;
  console.log(`\nbench/mutation: ${signal}: stopping every child, then printing what is done`);
  void cleanUp().finally(() => {
    if (results.length > 0) printReport(results, true);
    process.exit(code);
  });
}
process.on('SIGINT', () => onSignal('SIGINT', 130));
process.on('SIGTERM', () => onSignal('SIGTERM', 143));

// ── Copies ─────────────────────────────────────────────────────────────────────────

/** The working tree's files: tracked (unless deleted) and untracked, ignored ones left out. */
function workingTreeFiles(): string[] {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${projectRoot}: ${listed.stderr}`);
  return [...new Set(listed.stdout.split('\0').filter((file) => file !== ''))].filter((file) => {
    if (file === 'node_modules' || file.startsWith('node_modules/') || file.startsWith('dist/')) return false;
    try {
      return lstatSync(path.join(projectRoot, file)).isFile();
    } catch {
      return false; // Tracked, but deleted in the working tree.
    }
  });
}

function copyWorkingTree(to: string): number {
  const files = workingTreeFiles();
  for (const file of files) {
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    cpSync(path.join(projectRoot, file), path.join(to, file), { preserveTimestamps: true });
  }
  symlinkSync(path.join(projectRoot, 'node_modules'), path.join(to, 'node_modules'));
  return files.length;
}

/** Apply the mutant's edit in `copy`; returns an error sentence, or null when applied. */
function applyMutant(mutant: Mutant, copy: string): string | null {
  const file = path.join(copy, mutant.file);
  if (!existsSync(file)) return `${mutant.file} does not exist (the catalogue is out of step with the code)`;
  const text = readFileSync(file, 'utf8');
  const occurrences = text.split(mutant.find).length - 1;
  if (occurrences !== 1) return `its anchor occurs ${occurrences} times in ${mutant.file}, not once (the catalogue is out of step with the code)`;
  writeFileSync(file, text.replace(mutant.find, () => mutant.replace));
  return null;
}

// ── Running the harness ────────────────────────────────────────────────────────────

const build = (copy: string) => runNode(['scripts/build.mjs', '--quiet'], copy, buildMsMax);
/** The scripted suite, or only `files` (a rerun). */
const suite = (copy: string, out: string, files: string[] = ['scenarios']) =>
  runNode(['bin/flowconform.js', 'run', ...files, '--jobs', '2', '--out', out], copy, suiteMsMax);
const explore = (copy: string, out: string) =>
  runNode(
    ['bin/flowconform.js', 'explore', '--seed', String(seed), '--runs', String(exploreRuns), '--time-limit', `${exploreTimeLimitS}s`, '--shrink-time-limit', '1ms', '--out', out],
    copy,
    exploreMsMax,
  );
const replay = (copy: string, file: string, out: string) => runNode(['bin/flowconform.js', 'replay', file, '--seed', String(seed), '--out', out], copy, suiteMsMax);

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';
const oneLine = (text: string, charsMax = 160) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > charsMax ? `${flat.slice(0, charsMax - 1)}…` : flat;
};

interface SummaryScenario {
  name: string;
  /** The scenario file as the CLI was given it (relative to the copy). */
  file: string;
  outcome: string;
  error?: string;
  verdicts: Array<{ clauseId: string; valid: boolean | 'unknown' }>;
}

function readSummary(out: string): SummaryScenario[] | null {
  try {
    return (JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { scenarios: SummaryScenario[] }).scenarios;
  } catch {
    return null;
  }
}

/** Why a command is not a verdict (usage error, timeout, killed), or null when its exit code is one. */
function notAVerdict(name: string, outcome: CommandOutcome, timeLimitMs: number): string | null {
  if (outcome.timedOut) return `${name} did not end within ${timeLimitMs / 1000} s`;
  if (outcome.code === 0 || outcome.code === 1 || outcome.code === 3) return null;
  return `${name} ended with ${outcome.signal ?? `exit code ${outcome.code}`}: ${oneLine(lastLine(outcome.stderr) || lastLine(outcome.stdout))}`;
}

const isNotPassing = (scenario: SummaryScenario) => scenario.outcome === 'fail' || scenario.outcome === 'inconclusive';
const violated = (scenario: SummaryScenario) => scenario.verdicts.filter((verdict) => verdict.valid === false).map((verdict) => verdict.clauseId);
const listed = (names: string[], countMax = 3) => `${names.slice(0, countMax).join(', ')}${names.length > countMax ? ', …' : ''}`;

/**
 * Scenarios that failed once and passed when run again: noise of a loaded machine, not a
 * verdict. Collected over the whole bench (baseline and mutants) and printed at the end.
 */
const flakyScenarios = new Map<string, number>();

/**
 * The suite, with every failure confirmed: the scenarios that fail (or are inconclusive)
 * are run once more, and only those that fail again count. On a two-core machine shared
 * with other work, a timing bound is sometimes missed by an engine that is right; a
 * mutant's defect repeats. Returns null when the suite passed (after the rerun), with the
 * scenarios that did not repeat their failure.
 */
async function judgeSuite(copy: string, out: string): Promise<{ verdict: Verdict | null; flaky: string[] }> {
  const firstOut = path.join(out, 'suite');
  const first = await suite(copy, firstOut);
  const error = notAVerdict('the suite', first, suiteMsMax);
  if (error !== null) return { verdict: { kind: 'bench-error', detail: error }, flaky: [] };
  if (first.code === 0) return { verdict: null, flaky: [] };
  const scenarios = readSummary(firstOut);
  if (scenarios === null) {
    // The CLI ended before any scenario ran: the engine did not start or answer its handshake.
    return { verdict: { kind: 'killed-by-crash', by: 'suite', detail: oneLine(lastLine(first.stderr) || lastLine(first.stdout)) }, flaky: [] };
  }
  const failing = scenarios.filter(isNotPassing);
  const rerunOut = path.join(out, 'suite-rerun');
  const rerun = await suite(copy, rerunOut, failing.map((scenario) => scenario.file));
  const rerunError = notAVerdict('the rerun of the failed scenarios', rerun, suiteMsMax);
  if (rerunError !== null) return { verdict: { kind: 'bench-error', detail: rerunError }, flaky: [] };
  const again = (readSummary(rerunOut) ?? []).filter(isNotPassing);
  const flaky = failing.filter((scenario) => !again.some((repeated) => repeated.name === scenario.name)).map((scenario) => scenario.name);
  for (const name of flaky) flakyScenarios.set(name, (flakyScenarios.get(name) ?? 0) + 1);
  const flakyNote = flaky.length > 0 ? `; not repeated on a rerun: ${listed(flaky)}` : '';
  const failed = again.filter((scenario) => scenario.outcome === 'fail');
  if (failed.length > 0) {
    const clauses = [...new Set(failed.flatMap(violated))].sort();
    return { verdict: { kind: 'killed', by: 'suite', clauses, detail: `failed twice: ${listed(failed.map((scenario) => scenario.name))}${flakyNote}` }, flaky };
  }
  const inconclusive = again[0];
  if (inconclusive !== undefined) {
    return { verdict: { kind: 'killed-by-crash', by: 'suite', detail: `inconclusive twice: ${inconclusive.name}: ${oneLine(inconclusive.error ?? '')}${flakyNote}` }, flaky };
  }
  return { verdict: null, flaky };
}

/**
 * The explore campaign (after the suite passed). A violation is confirmed by replaying
 * its counterexample once; one that does not repeat is reported with the survivor, not
 * counted as a kill.
 */
async function judgeExplore(copy: string, out: string, suiteFlaky: string[]): Promise<Verdict> {
  const exploreOut = path.join(out, 'explore');
  const outcome = await explore(copy, exploreOut);
  const error = notAVerdict('explore', outcome, exploreMsMax);
  if (error !== null) return { kind: 'bench-error', detail: error };
  const inconclusiveRuns = Number(/\((\d+) inconclusive\)/.exec(outcome.stdout)?.[1] ?? 0);
  const firstInconclusive = /inconclusive run (\d+): (.*)/.exec(outcome.stdout);
  const inconclusiveNote =
    inconclusiveRuns > 0 ? ` (${inconclusiveRuns} inconclusive${firstInconclusive ? `; run ${firstInconclusive[1]}: ${oneLine(firstInconclusive[2]!, 120)}` : ''})` : '';
  const suiteNote = suiteFlaky.length > 0 ? ` (suite: ${listed(suiteFlaky)} failed once, passed on a rerun)` : '';
  if (outcome.code === 0) {
    return { kind: 'survived', detail: `suite passed${suiteNote}; explore: no violation in ${exploreRuns} runs${inconclusiveNote}` };
  }
  if (outcome.code === 3) {
    const reason = /inconclusive run \d+: (.*)/.exec(outcome.stdout)?.[1] ?? (lastLine(outcome.stderr) || lastLine(outcome.stdout));
    return { kind: 'killed-by-crash', by: 'explore', detail: oneLine(reason) };
  }
  const match = /explore: violated (.+?) after (\d+) run/.exec(outcome.stdout);
  const clauses = match ? match[1]!.split(',').map((id) => id.trim()) : [];
  const found = match ? `run ${match[2]}` : 'a run';
  const replayed = await replay(copy, path.join(exploreOut, 'counterexample.yaml'), path.join(out, 'replay'));
  const replayError = notAVerdict('the replay of the counterexample', replayed, suiteMsMax);
  if (replayError !== null) return { kind: 'bench-error', detail: replayError };
  if (replayed.code === 0) {
    return { kind: 'survived', detail: `suite passed${suiteNote}; explore violated ${clauses.join(', ')} in ${found}, but its replay passed (not counted)` };
  }
  return { kind: 'killed', by: 'explore', clauses, detail: `${found}, replay ${replayed.code === 1 ? 'failed too' : 'inconclusive'}` };
}

/** Build, suite, explore in `copy`; outputs go to `out`. */
async function judge(copy: string, out: string): Promise<Verdict> {
  const built = await build(copy);
  if (built.code !== 0) {
    const why = built.timedOut ? `did not end within ${buildMsMax / 1000} s` : oneLine(built.stderr || built.stdout, 240);
    return { kind: 'bench-error', detail: `does not build: ${why}` };
  }
  const { verdict, flaky } = await judgeSuite(copy, out);
  if (verdict !== null || interrupted) return verdict ?? { kind: 'bench-error', detail: 'interrupted' };
  return judgeExplore(copy, out, flaky);
}

// ── Report: text second ────────────────────────────────────────────────────────────

const resultName: Record<Verdict['kind'], string> = { killed: 'killed', 'killed-by-crash': 'killed-by-crash', survived: 'SURVIVED', 'bench-error': 'bench-error' };

function verdictText(verdict: Verdict): string {
  switch (verdict.kind) {
    case 'killed':
      return `${verdict.clauses.join(', ') || '(no clause id)'} [${verdict.by}: ${verdict.detail}]`;
    case 'killed-by-crash':
      return `${verdict.by}: ${verdict.detail}`;
    case 'survived':
    case 'bench-error':
      return verdict.detail;
  }
}

function resultLine(result: MutantResult): string {
  const seconds = `${(result.durationMs / 1000).toFixed(0)} s`.padStart(6);
  const equivalent = result.mutant.equivalent !== undefined ? ' (equivalent)' : '';
  const left = result.processesLeft > 0 ? ` [${result.processesLeft} process(es) left, killed]` : '';
  return `${result.mutant.id.padEnd(36)} ${result.mutant.operator.padEnd(21)} ${(resultName[result.verdict.kind] + equivalent).padEnd(21)} ${seconds}  ${verdictText(result.verdict)}${left}`;
}

function printReport(all: MutantResult[], partial: boolean): void {
  const count = (kind: Verdict['kind']) => all.filter((result) => result.verdict.kind === kind && result.mutant.equivalent === undefined).length;
  const equivalent = all.filter((result) => result.mutant.equivalent !== undefined);
  const benchErrors = count('bench-error');
  const killed = count('killed');
  const crashed = count('killed-by-crash');
  const survived = count('survived');
  const counted = all.length - benchErrors - equivalent.length;
  const bySuite = all.filter((result) => result.mutant.equivalent === undefined && 'by' in result.verdict && result.verdict.by === 'suite').length;
  const byExplore = all.filter((result) => result.mutant.equivalent === undefined && 'by' in result.verdict && result.verdict.by === 'explore').length;

  console.log(`\n${partial ? 'partial results (interrupted)' : 'results'}: ${all.length} mutant(s), seed ${seed}, explore ${exploreRuns} runs`);
  console.log(`${'mutant'.padEnd(36)} ${'operator'.padEnd(21)} ${'result'.padEnd(21)} ${'time'.padStart(6)}  clauses / why`);
  for (const result of all) console.log(resultLine(result));
  const percent = counted > 0 ? (((killed + crashed) / counted) * 100).toFixed(1) : '-';
  console.log(
    `\nkill score: ${killed + crashed} / ${counted} = ${percent}% (killed ${killed}, killed-by-crash ${crashed}; by the suite ${bySuite}, by explore ${byExplore}; survived ${survived}; equivalent ${equivalent.length}; bench errors ${benchErrors})`,
  );
  for (const result of all.filter((result) => result.verdict.kind === 'survived' && result.mutant.equivalent === undefined)) {
    console.log(`  survivor ${result.mutant.id} (${result.mutant.file}): ${result.mutant.why}`);
    console.log(`    rerun: npx tsx bench/mutation/run.ts --only ${result.mutant.id} --seed ${seed} --explore-runs ${exploreRuns} --keep`);
  }
  for (const result of equivalent) {
    const contradiction = result.verdict.kind === 'killed' || result.verdict.kind === 'killed-by-crash' ? ' — BUT IT WAS KILLED: the claim or the kill is wrong, look at it' : '';
    console.log(`  equivalent ${result.mutant.id}: ${result.mutant.equivalent}${contradiction}`);
  }
  for (const result of all.filter((result) => result.verdict.kind === 'bench-error')) console.log(`  bench error ${result.mutant.id}: ${result.verdict.detail}`);
  if (flakyScenarios.size > 0) {
    const flaky = [...flakyScenarios].map(([name, times]) => `${name} (${times}×)`).join(', ');
    console.log(`scenarios that failed once and passed on a rerun (noise, not verdicts): ${flaky}`);
  }
  const [one, five, fifteen] = loadavg().map((value) => value.toFixed(2));
  console.log(`load average now: ${one} ${five} ${fifteen} on this machine (timing-sensitive verdicts are noisier under load)`);
}

// ── Main ───────────────────────────────────────────────────────────────────────────

function describeCheckout(): string {
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).stdout.trim() || 'unknown';
  const changed = spawnSync('git', ['status', '--porcelain'], { cwd: projectRoot, encoding: 'utf8' }).stdout.split('\n').filter((line) => line !== '').length;
  return `commit ${commit}${changed > 0 ? ` + ${changed} uncommitted change(s) in the working tree` : ', clean working tree'}`;
}

async function runMutant(mutant: Mutant, base: string): Promise<MutantResult> {
  const started = performance.now();
  const copy = path.join(tempRoot, `mutant-${mutant.id}`);
  const out = path.join(tempRoot, `out-${mutant.id}`);
  cpSync(base, copy, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  const applyError = applyMutant(mutant, copy);
  const verdict: Verdict = applyError !== null ? { kind: 'bench-error', detail: applyError } : await judge(copy, out);
  const processesLeft = await sweep(copy);
  if (!keep) {
    rmSync(copy, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
  return { mutant, verdict, durationMs: performance.now() - started, processesLeft };
}

async function main(): Promise<number> {
  const [one, five, fifteen] = loadavg().map((value) => value.toFixed(2));
  console.log(
    `mutation self-test: ${selected.length} of ${catalogue.length} mutant(s), seed ${seed}, explore ${exploreRuns} runs, ${jobs} at once; node ${process.version}; ${describeCheckout()}; load average ${one} ${five} ${fifteen}`,
  );
  console.log(`temporary folder: ${tempRoot}`);

  const base = path.join(tempRoot, 'base');
  const files = copyWorkingTree(base);
  console.log(`baseline: ${files} files copied; building, then the suite and explore on the unchanged engine`);
  const baselineStarted = performance.now();
  const baseline = await judge(base, path.join(tempRoot, 'out-baseline'));
  if (interrupted) return 130;
  if (baseline.kind !== 'survived') {
    console.error(`bench/mutation: the baseline is not conformant (${resultName[baseline.kind]}: ${verdictText(baseline)}); a kill would mean nothing. Fix the baseline first.`);
    return 1;
  }
  console.log(`baseline: conformant in ${((performance.now() - baselineStarted) / 1000).toFixed(0)} s (${baseline.detail})\n`);

  const queue = [...selected];
  const finished: MutantResult[] = [];
  results = finished;
  const worker = async () => {
    for (let mutant = queue.shift(); mutant !== undefined && !interrupted; mutant = queue.shift()) {
      const result = await runMutant(mutant, base);
      if (interrupted) return;
      finished.push(result);
      console.log(`[${finished.length}/${selected.length}] ${resultLine(result)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, selected.length) }, worker));
  if (interrupted) return 130;
  // Catalogue order, whatever order the jobs finished in.
  const ordered = selected.map((mutant) => finished.find((result) => result.mutant === mutant)!);
  printReport(ordered, false);
  return 0;
}

const code = await main().catch((error: unknown) => {
  console.error(`bench/mutation: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
});
if (!interrupted) {
  await cleanUp();
  process.exit(code);
}
