/**
 * Goal: flowconform catches a real upstream defect in a system nobody here wrote, and
 * passes the version that fixed it, with one scenario. BullMQ PR #2979 (fixed in 5.34.4):
 * a sandboxed job served by a child process taken again from BullMQ's child pool had no
 * exit handler, so when that child died the job stayed `active` for ever. The scenario
 * scenarios/worker-killed-second-run-concurrency-one.yaml runs two jobs one after the
 * other on a worker of concurrency 1 and has the nemesis SIGKILL the second job's
 * process; against BullMQ 5.34.3 it must fail on PROCESS-LOSS-01 (exit 1), against
 * 5.34.4 pass (exit 0). Afterwards no process of the adapter's session, nor the Redis
 * server, may be alive.
 *
 * Method: no mocks. A real `redis-server` on a free loopback port (adapters/bullmq/
 * redis-server.ts), the real adapter process (`node bin/flowconform.js bullmq …`, the
 * built CLI) started by `runSuite` through the engine protocol, the real BullMQ versions
 * installed as npm aliases. The states checked are the adapter's read-backs of BullMQ's
 * own record (`active` → RUNNING; failed by the child's exit handler → CRASHED; the
 * mapping is in adapters/bullmq/README.md); BullMQ's record itself is gone after the run,
 * as the adapter obliterates the queue on `reset`. Skipped with a one-line reason when redis-server is missing, except under
 * CI=true (.ci/run installs it). About 7 s for 5.34.3 (the await times out after 5 s),
 * 2 s for 5.34.4, 4 s for the 6.7.0 cancel and restart scenarios.
 */
import { fileURLToPath } from 'node:url';
import { quote } from 'shell-quote';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEngineCommand } from '../../harness/engine-process/engine-command.ts';
import { suiteExitCode, violatedClauseIds, type ScenarioResult, type SuiteResult } from '../../harness/result.ts';
import { runSuite } from '../../harness/suite.ts';
import { isAliveInProc, listProcesses, readCommandLine, readEnvironmentValue } from '../../os/proc.ts';
import { sessionVariable } from '../../os/session-marker.ts';
import { formatRepro } from '../../reports/repro.ts';
import { loadScenarioFile } from '../../scenarios/schema/load.ts';
import { redisServerVersion, startRedisServer, type RedisServer } from '../../adapters/bullmq/redis-server.ts';

const cli = fileURLToPath(new URL('../../bin/flowconform.js', import.meta.url));
const scenarioFile = 'scenarios/worker-killed-second-run-concurrency-one.yaml';
const skipReason = redisServerVersion() !== null || process.env.CI === 'true' ? null : 'redis-server is not installed (apt-get install redis-server)';
/** Per-test timeout (ms): each run takes 2–7 s, up to three times that on a loaded two-core machine. */
const runTimeoutMs = 45_000;

let redis: RedisServer | null = null;

/** The adapter on the test's Redis; concurrency 1 as in the upstream report, unless a scenario needs runs side by side. */
function adapterCommand(bullmq: string, concurrency: number): ReturnType<typeof parseEngineCommand> {
  return parseEngineCommand(quote(['node', cli, 'bullmq', '--bullmq', bullmq, '--redis', redis!.url, '--concurrency', String(concurrency)]));
}

async function runAgainst(bullmq: string, files: string[] = [scenarioFile], concurrency = 1): Promise<SuiteResult> {
  const scenarios = await Promise.all(files.map((file) => loadScenarioFile(file)));
  return runSuite(scenarios, { command: 'test', engine: adapterCommand(bullmq, concurrency), bug: null, seed: 1 });
}

/** Live (not zombie) processes whose environment carries this session marker. */
function livePidsOfSession(session: string): number[] {
  return listProcesses()
    .filter((stat) => stat.state !== 'Z' && stat.state !== 'X' && readEnvironmentValue(stat.pid, sessionVariable) === session)
    .map((stat) => stat.pid);
}

/** The states of a run as the harness read them back through `query`, in order. */
function readBack(result: ScenarioResult, run: string): Array<string | null> {
  return result.trace.flatMap((event) => (event.kind === 'observe' && event.entity === 'run' && event.id === run ? [event.state] : []));
}

describe.skipIf(skipReason !== null)(`the BullMQ adapter on a real Redis${skipReason === null ? '' : ` (skipped: ${skipReason})`}`, () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    const url = redis?.url;
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isAliveInProc(pid), `redis-server ${pid} after stop`).toBe(false);
    // No adapter of these tests (spares of the engine pool included) outlived its suite.
    const adapters = listProcesses().filter((stat) => stat.state !== 'Z' && stat.state !== 'X' && (readCommandLine(stat.pid) ?? []).includes(url ?? ''));
    expect(adapters.map((stat) => `${stat.pid} ${(readCommandLine(stat.pid) ?? []).join(' ')}`)).toEqual([]);
  });

  it(
    'BullMQ 5.34.3: the second job stays active after its child process is killed; PROCESS-LOSS-01 violated, exit 1',
    async () => {
      const suite = await runAgainst('bullmq-5.34.3');
      const [result] = suite.results;
      expect(result!.engine?.name).toBe('bullmq');
      expect(result!.engine?.version).toMatch(/^5\.34\.3 \(Redis \d+\.\d+/);
      expect(result!.outcome, result!.error ?? '').toBe('fail');
      expect(violatedClauseIds(result!.verdicts)).toEqual(['PROCESS-LOSS-01']);
      expect(suiteExitCode(suite)).toBe(1);
      // The nemesis really killed a process, and it was BullMQ's child serving the job.
      const kill = result!.trace.find((event) => event.kind === 'fault' && event.fault === 'worker-kill');
      expect(kill, 'a worker-kill fault in the trace').toBeDefined();
      // BullMQ kept the job `active` (RUNNING) to the end; the first job completed.
      expect(readBack(result!, 'first').at(-1)).toBe('COMPLETED');
      expect(readBack(result!, 'second').filter((state) => state !== null).at(-1)).toBe('RUNNING');
      const session = result!.engine!.session!;
      // The report a maintainer reads: version, Redis version, the clause, the replay command.
      const repro = formatRepro(result!, { replayCommand: `npx flowconform replay ${scenarioFile} --engine "…"`, environment: suite.environment });
      expect(repro).toMatch(/Engine: `bullmq` version `5\.34\.3 \(Redis \d/);
      expect(repro).toContain('PROCESS-LOSS-01');
      expect(repro).toContain('npx flowconform replay');
      expect(livePidsOfSession(session), `live processes of session ${session}`).toEqual([]);
    },
    runTimeoutMs,
  );

  it(
    'BullMQ 5.34.4: the same scenario passes, the job failed by the child exit handler, exit 0',
    async () => {
      const suite = await runAgainst('bullmq-5.34.4');
      const [result] = suite.results;
      expect(result!.engine?.version).toMatch(/^5\.34\.4 \(Redis /);
      const notTrue = result!.verdicts.filter((verdict) => verdict.valid === false);
      expect(notTrue, result!.error ?? '').toEqual([]);
      expect(result!.outcome).toBe('pass');
      const notOk = result!.trace.filter((event) => event.kind === 'step' && event.phase === 'end' && event.outcome !== 'ok');
      expect(notOk, 'steps that did not end ok').toEqual([]);
      expect(suiteExitCode(suite)).toBe(0);
      // BullMQ failed the job through the child's exit handler: `failed`, "Unexpected exit code" → CRASHED.
      expect(readBack(result!, 'second')).toEqual(expect.arrayContaining(['RUNNING', 'CRASHED']));
      const session = result!.engine!.session!;
      expect(livePidsOfSession(session), `live processes of session ${session}`).toEqual([]);
    },
    runTimeoutMs,
  );

  it(
    'BullMQ 6.7.0: cancel through Worker.cancelJob ends every job process; only the idle pool children outlive it; a crash and restart of the adapter pass',
    async () => {
      const files = ['scenarios/posix-cancel-nested-subflows.yaml', 'scenarios/crash-between-cancel-ack-and-kill.yaml'];
      // Concurrency 8 (the adapter's default): the scenario awaits three subflows RUNNING at once.
      const suite = await runAgainst('bullmq-6.7.0', files, 8);
      expect(suite.engine?.capabilities?.operations).toContain('cancel-run');
      for (const result of suite.results) {
        const notOk = result.trace.filter((event) => event.kind === 'step' && event.phase === 'end' && event.outcome !== 'ok');
        expect(notOk, `${result.scenario}: steps that did not end ok (${result.error ?? ''})`).toEqual([]);
        // Subflows are BullMQ flow children: each read back with its parent job's id.
        const parents = new Map(result.trace.flatMap((event) => (event.kind === 'observe' && event.entity === 'run' ? [[event.id, event.parentId] as const] : [])));
        for (const [id, parent] of parents) expect(parent, `parent of ${id}`).toBe(id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : null);
        for (const id of parents.keys()) expect(readBack(result, id).at(-1), `${result.scenario}: ${id}`).toBe('CANCELLED');
        // BullMQ's cancel is cooperative and its child pool keeps the child process that ran
        // a job (docs/engines/bullmq.md, finding 2): RUN-CANCEL-02 may name those, and only
        // those: processes in the adapter's process group. Each job's own work process leads
        // a group of its own and must be dead.
        const groupOf = new Map(result.trace.flatMap((event) => (event.kind === 'observe-process' && event.groupId !== undefined ? [[event.pid, event.groupId] as const] : [])));
        for (const verdict of result.verdicts.filter((candidate) => candidate.valid === false)) {
          expect(verdict.clauseId, `${result.scenario}: ${verdict.violations.map((violation) => violation.message).join('; ')}`).toBe('RUN-CANCEL-02');
          for (const violation of verdict.violations) {
            for (const [, pid] of violation.message.matchAll(/pid (\d+) \(/g)) {
              expect(groupOf.get(Number(pid)), `${result.scenario}: pid ${pid} alive after CANCELLED leads its own group (a job's work process)`).not.toBe(Number(pid));
            }
          }
        }
        expect(livePidsOfSession(result.engine!.session!), `${result.scenario}: live processes`).toEqual([]);
      }
    },
    runTimeoutMs,
  );

  it('BullMQ 5.34.x has no Worker.cancelJob, so cancel-run is not offered', async () => {
    const suite = await runAgainst('bullmq-5.34.4', ['scenarios/posix-cancel-nested-subflows.yaml']);
    expect(suite.results[0]!.outcome).toBe('not-applicable');
    expect(suite.results[0]!.missingCapabilities).toContain('operation cancel-run');
  });
});
