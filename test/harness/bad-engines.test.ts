/**
 * Goal (issue deliverable 6, "a protocol that survives bad engines"): an engine that
 * prints a line that is not JSON, answers an unknown id, omits a required field, never
 * answers the handshake, hangs on an operation, or exits mid-scenario makes the run
 * INCONCLUSIVE (exit 3 at the command line), with an error naming the engine, the
 * operation and the offending line (cut to 200 characters), the trace up to the fault
 * kept, no hang of the harness, and no process of the engine's session left alive.
 *
 * Method: no mocks. A fake engine, test/fixtures/engines/bad-engine.mjs, speaks the
 * protocol correctly and spawns a real long-lived worker process on `start-workflow`
 * (in its own process group), then misbehaves at the point `--misbehave <case>` names.
 * `runScenario` runs a tiny inline scenario against it through the engine protocol
 * (start a workflow, wait until its task runs, terminate it, sleep) with a step time
 * limit of 1 s; a control case (`none`) shows the same scenario completes against the
 * well-behaved fake. /proc is read afterwards for live processes carrying the engine's
 * session marker. The handshake case is `EngineProcess.start` itself; the command-line
 * case runs the CLI as its own process with `--engine`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineFaultError } from '../../harness/engine-process/engine-fault.ts';
import { EngineProcess, handshakeDeadlineMs } from '../../harness/engine-process/engine-process.ts';
import type { ScenarioResult } from '../../harness/result.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import { listProcesses, readEnvironmentValue } from '../../os/proc.ts';
import { parseScenario } from '../../scenarios/schema/load.ts';
import type { TraceEvent } from '../../trace/events.ts';
import { engineName, offendingLines } from '../fixtures/engines/bad-engine.mjs';
import { livePidsOfSession, sessionOf, sessionPrefixOf } from './session-processes.ts';

const checkoutRoot = fileURLToPath(new URL('../..', import.meta.url));
const badEngine = path.join(checkoutRoot, 'test', 'fixtures', 'engines', 'bad-engine.mjs');

/** The step time limit (and request deadline) the runs get (ms). */
const stepTimeoutMs = 1_000;
/** A run must end within this (ms): the step limit plus teardown's bounds, far below a hang. */
const runMsMax = stepTimeoutMs + 15_000;
/** The longest piece of an offending line the harness quotes (characters; docs/engine-protocol.md). */
const quotedLengthMax = 200;

const scenarioText = [
  'name: bad-engine',
  'description: start a workflow whose task is a real process, terminate it',
  'steps:',
  '  - startWorkflow: { workflow: wf-1, tasks: [{ task: long-task, durationMs: 30000 }] }',
  '  - await: { task: long-task, state: IN_PROGRESS, timeoutMs: 5000 }',
  '  - terminate: { workflow: wf-1 }',
  '  - sleep: { ms: 100 }',
  '',
].join('\n');

type LineCase = keyof typeof offendingLines;

interface BadCase {
  kase: string;
  /** How the trace's end event says the run ended. */
  end: 'crash' | 'timeout';
  /** The operation the error must name: `(operation <op>)` for a crash, the one not answered for a timeout. */
  op: string;
  /** What else the error must say (the kind of fault). */
  says: RegExp;
  /** The offending line's case, when the engine wrote one. */
  line?: LineCase;
}

const badCases: readonly BadCase[] = [
  { kase: 'not-json', end: 'crash', op: 'terminate-workflow', says: /not JSON/, line: 'not-json' },
  { kase: 'wrong-type', end: 'crash', op: 'terminate-workflow', says: /type "hello"/, line: 'wrong-type' },
  { kase: 'unknown-id', end: 'crash', op: 'terminate-workflow', says: /which no request had/, line: 'unknown-id' },
  { kase: 'id-zero', end: 'crash', op: 'terminate-workflow', says: /answers id 0, which no request had/, line: 'id-zero' },
  { kase: 'no-ok', end: 'crash', op: 'terminate-workflow', says: /breaks the schema/, line: 'no-ok' },
  { kase: 'no-entities', end: 'crash', op: 'query', says: /breaks the schema of query/, line: 'no-entities' },
  { kase: 'hang', end: 'timeout', op: 'terminate-workflow', says: /did not answer terminate-workflow .*within 1000 ms/ },
  { kase: 'hang-all', end: 'timeout', op: 'terminate-workflow', says: /did not answer terminate-workflow .*within 1000 ms/ },
  { kase: 'exit', end: 'crash', op: 'terminate-workflow', says: /exited \(code 1\) while the harness still needed it; its stderr ends: .*exiting now/ },
];

function endEvent(result: ScenarioResult): Extract<TraceEvent, { kind: 'end' }> {
  const last = result.trace.at(-1);
  if (last?.kind !== 'end') throw new Error(`the trace does not end with an end event: ${JSON.stringify(last)}`);
  return last;
}

function stepEvents(result: ScenarioResult): string[] {
  return result.trace.flatMap((event) => (event.kind === 'step' ? [`${event.index}:${event.phase}`] : []));
}

/** Runs the scenario against `bad-engine.mjs --misbehave <kase>` and times it. */
async function runAgainst(kase: string): Promise<{ result: ScenarioResult; elapsedMs: number }> {
  const scenario = parseScenario(scenarioText.replace('name: bad-engine', `name: bad-engine-${kase}`), 'inline.yaml');
  const started = Date.now();
  const result = await runScenario(scenario, {
    engine: { command: process.execPath, args: [badEngine, '--misbehave', kase], label: 'bad-engine' },
    stepTimeoutMs,
  });
  return { result, elapsedMs: Date.now() - started };
}

/** What every run against a bad engine keeps: the trace so far, in order, and the worker it had started. */
function expectTraceSoFar(result: ScenarioResult): void {
  expect(result.trace[0]?.kind).toBe('meta');
  expect(result.trace.map((event) => event.seq)).toEqual(result.trace.map((_, index) => index));
  // Steps 0 and 1 ended; step 2 (terminate) began and never ended; step 3 never began.
  expect(stepEvents(result)).toEqual(['0:begin', '0:end', '1:begin', '1:end', '2:begin']);
  expect(result.trace.some((event) => event.kind === 'request' && event.op === 'start-workflow' && event.outcome === 'ok')).toBe(true);
  expect(result.trace.some((event) => event.kind === 'observe' && event.id === 'long-task' && event.state === 'IN_PROGRESS')).toBe(true);
  // The worker really ran (seen in /proc), so the leak check below has something to miss.
  expect(result.trace.some((event) => event.kind === 'observe-process' && event.owner === 'long-task' && event.alive)).toBe(true);
}

describe('runScenario against a bad engine', () => {
  it('completes the same scenario against the well-behaved fake (the control)', async () => {
    const { result } = await runAgainst('none');
    const end = endEvent(result);
    expect(end.outcome, JSON.stringify(end)).toBe('completed');
    expect(result.error).toBeUndefined();
    expect(stepEvents(result)).toEqual(['0:begin', '0:end', '1:begin', '1:end', '2:begin', '2:end', '3:begin', '3:end']);
    expect(result.engine?.name).toBe(engineName);
    expect(livePidsOfSession(sessionOf(result))).toEqual([]);
  });

  for (const { kase, end, op, says, line } of badCases) {
    it(`${kase}: inconclusive (${end}), naming the engine, ${op}${line ? ' and the line' : ''}; nothing left alive`, async () => {
      const { result, elapsedMs } = await runAgainst(kase);

      expect(result.outcome).toBe('inconclusive');
      expect(endEvent(result).outcome).toBe(end);
      expect(endEvent(result).error).toBe(result.error);
      const error = result.error ?? '';
      expect(error).toMatch(says);
      expect(error).toContain(`engine ${engineName}`);
      expect(error).toContain(end === 'crash' ? `(operation ${op})` : `did not answer ${op}`);
      if (line) {
        // Quoted whole (it is short), JSON-escaped, after `line:`; the id in it is the request's.
        const quoted = quotedLineOf(error);
        const id = line === 'not-json' || line === 'id-zero' ? 0 : Number((JSON.parse(quoted) as { inReplyTo: number }).inReplyTo) - (line === 'unknown-id' ? 1000 : 0);
        expect(quoted).toBe(offendingLines[line](id));
      }
      expectTraceSoFar(result);
      expect(elapsedMs).toBeLessThan(runMsMax);
      if (end === 'timeout') expect(elapsedMs).toBeGreaterThanOrEqual(stepTimeoutMs);
      expect(livePidsOfSession(sessionOf(result))).toEqual([]);
    });
  }

  it('cuts an offending line longer than 200 characters in the message', async () => {
    const { result, elapsedMs } = await runAgainst('long-line');
    const line = offendingLines['long-line'](0);
    expect(line.length).toBeGreaterThan(quotedLengthMax);

    expect(result.outcome).toBe('inconclusive');
    expect(endEvent(result).outcome).toBe('crash');
    const error = result.error ?? '';
    expect(error).toContain(`engine ${engineName}`);
    expect(error).toContain('(operation terminate-workflow)');
    expect(error).toContain(JSON.stringify(`${line.slice(0, quotedLengthMax)}…`));
    expect(error).not.toContain(line.slice(0, quotedLengthMax + 1));
    expect(error).not.toContain('-END');
    expectTraceSoFar(result);
    expect(elapsedMs).toBeLessThan(runMsMax);
    expect(livePidsOfSession(sessionOf(result))).toEqual([]);
  });
});

/** The offending line an error quotes (`…; line: "<JSON-escaped line>"` at its end), unescaped. */
function quotedLineOf(error: string): string {
  const match = /; line: (".*")$/.exec(error);
  if (!match) throw new Error(`the error quotes no line: ${error}`);
  return JSON.parse(match[1]!) as string;
}

/** Live processes whose environment has `name=value` (the fake and its worker inherit it). */
function livePidsWithVariable(name: string, value: string): number[] {
  return listProcesses()
    .filter((stat) => stat.state !== 'Z' && stat.state !== 'X' && stat.pid !== process.pid)
    .filter((stat) => readEnvironmentValue(stat.pid, name) === value)
    .map((stat) => stat.pid);
}

describe('EngineProcess.start against an engine that never answers hello', () => {
  it(
    'rejects with a handshake fault within the handshake deadline, and ends the engine and its worker',
    async () => {
      const tag = `hello-silent-${process.pid}-${Date.now()}`;
      const started = Date.now();
      const attempt = EngineProcess.start({
        command: { command: process.execPath, args: [badEngine, '--misbehave', 'hello-silent'], label: 'bad-engine --misbehave hello-silent' },
        env: { BAD_ENGINE_TAG: tag },
      });
      // While it waits, the fake and the worker it spawned at start are alive.
      await expect.poll(() => livePidsWithVariable('BAD_ENGINE_TAG', tag).length, { timeout: 3_000 }).toBe(2);
      const error = await attempt.then(
        () => null,
        (reason: unknown) => reason,
      );
      const elapsedMs = Date.now() - started;

      expect(error).toBeInstanceOf(EngineFaultError);
      const fault = error as EngineFaultError;
      expect(fault.kind).toBe('handshake');
      expect(fault.op).toBe('hello');
      expect(fault.message).toContain('bad-engine --misbehave hello-silent');
      expect(fault.message).toContain(`no answer to hello within ${handshakeDeadlineMs} ms`);
      expect(elapsedMs).toBeGreaterThanOrEqual(handshakeDeadlineMs);
      expect(elapsedMs).toBeLessThan(handshakeDeadlineMs + 5_000);
      expect(livePidsWithVariable('BAD_ENGINE_TAG', tag)).toEqual([]);
    },
    handshakeDeadlineMs + 15_000,
  );
});

describe('flowconform run --engine <a bad engine>', () => {
  let workDir = '';
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'flowconform-bad-engine-'));
  });
  afterAll(async () => {
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  });

  it('exits 3 and prints the engine and the offending line', async () => {
    const scenarioFile = path.join(workDir, 'bad-engine-cli.yaml');
    await writeFile(scenarioFile, scenarioText.replace('name: bad-engine', 'name: bad-engine-cli'));
    const built = path.join(checkoutRoot, 'dist', 'bin', 'flowconform.js');
    const bin = existsSync(built) ? built : path.join(checkoutRoot, 'bin', 'flowconform.js');
    const engine = `${process.execPath} ${badEngine} --misbehave not-json`;
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env['FORCE_COLOR'];

    const child = spawn(process.execPath, [bin, 'run', scenarioFile, '--engine', engine, '--out', path.join(workDir, 'out')], { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    clearTimeout(timer);

    const line = offendingLines['not-json'](0);
    expect(code, output).toBe(3);
    expect(output).toMatch(new RegExp(`INCONCLUSIVE bad-engine-cli .*engine ${engineName}: protocol: a line on stdout is not JSON`));
    expect(livePidsOfSession(sessionPrefixOf(child.pid!), true)).toEqual([]);
    // The reports hold the whole error, the line quoted.
    const summary = JSON.parse(await readFile(path.join(workDir, 'out', 'summary.json'), 'utf8')) as unknown;
    expect(JSON.stringify(summary)).toContain(JSON.stringify(JSON.stringify(line)).slice(1, -1));
    // And so must what the command prints (the console line cuts errors at 120 characters).
    expect(output).toContain(line);
  });
});
