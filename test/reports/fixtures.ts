/**
 * Hand-made results for the report tests: a suite of four scenarios against an engine
 * that has runs and workflows but no deployments, no instances and only a wall clock
 * (checked on four of the six clause families): one passing, one failing with two
 * violations (RUN-CANCEL-01 at seq 30, RUN-CANCEL-04 at seq 32) and a 60-event trace, one
 * inconclusive (engine crash), and one not applicable (it needs deployments and a driven
 * clock). Functions return fresh objects, so a test may change its copy.
 */
import type { EngineInfo, Environment, ScenarioResult, SuiteResult } from '../../harness/result.ts';
import type { TraceEvent } from '../../trace/events.ts';

export const environment: Environment = { node: 'v20.20.0', os: 'linux 6.8.0 x64', commit: 'abc1234def' };

/** Characters XML must escape, put in messages to test escaping. */
export const nastyText = 'pid <object> & "quoted" ]]> end ]]> again';

/** Seq of the two violations of the failing scenario. */
export const violationSeqs = { cancel: 30, kill: 32 } as const;

/** A long message placed in the failing trace (seq 25) to test field trimming (characters). */
export const longMessage = `kill attempt failed: ${'x'.repeat(1000)}`;

/** What the not-applicable scenario needs that the fixture engine lacks, in step order. */
export const missingOfNotApplicable = ['operation deploy', 'a driven clock', 'operation advance-clock'];

/**
 * An engine other than the reference one: runs and workflows, a wall clock, no
 * deployments and no instances, so it is checked on transitions, run-cancel, workflow and
 * process, and not on deployment and instance.
 */
export function partialEngine(): EngineInfo {
  return {
    name: 'acme-orchestrator',
    version: '2.3.1',
    command: 'node acme/flowconform-server.mjs --port 0',
    session: 'fc-session-1234',
    capabilities: {
      entities: ['run', 'workflow', 'task'],
      operations: ['start-run', 'cancel-run', 'set-workers', 'start-workflow', 'terminate-workflow', 'set-fault'],
      faults: ['archive-listener'],
      clock: 'wall',
      killStrategies: ['posix', 'win32'],
      events: ['transition', 'process'],
      restart: false,
      reset: false,
      bugs: [
        {
          id: 'prefect-17792',
          title: 'Cancel on Windows leaves runs in CANCELLING',
          upstream: 'PrefectHQ/prefect#17792',
          fixedBy: 'PrefectHQ/prefect#17793',
          codePoint: 'runs/kill.ts',
          defect: 'the kill passes a null pid',
          expectedClauses: ['RUN-CANCEL-01', 'RUN-CANCEL-04'],
        },
      ],
    },
    checkedFamilies: ['transitions', 'run-cancel', 'workflow', 'process'],
  };
}

/** The families `partialEngine` is not checked on, in registry order. */
export const uncheckedOfPartialEngine = ['deployment', 'instance', 'restart'];

function filler(seq: number): TraceEvent {
  return { seq, timeMs: seq * 10, wallMs: seq * 12, kind: 'log', level: 'info', message: `filler event ${seq}` };
}

export function failingTrace(): TraceEvent[] {
  const trace: TraceEvent[] = [];
  for (let seq = 0; seq < 60; seq += 1) trace.push(filler(seq));
  trace[25] = { seq: 25, timeMs: 250, wallMs: 300, kind: 'log', level: 'error', message: longMessage, entity: 'parent' };
  trace[violationSeqs.cancel] = {
    seq: violationSeqs.cancel,
    timeMs: 300,
    wallMs: 360,
    kind: 'transition',
    entity: 'run',
    id: 'parent',
    parentId: null,
    from: 'RUNNING',
    to: 'CANCELLING',
    cause: 'cancel',
  };
  trace[violationSeqs.kill] = {
    seq: violationSeqs.kill,
    timeMs: 320,
    wallMs: 384,
    kind: 'process',
    action: 'kill-failed',
    pid: null,
    parentPid: null,
    owner: 'parent',
    error: 'TypeError [ERR_INVALID_ARG_TYPE]: The "pid" argument must be of type number',
  };
  return trace;
}

export function passingResult(): ScenarioResult {
  return {
    scenario: 'cancel-simple-posix',
    description: 'Cancel a running run without subflows.',
    file: 'scenarios/cancel-simple-posix.yaml',
    platform: 'posix',
    bug: null,
    seed: 1,
    outcome: 'pass',
    verdicts: [
      { clauseId: 'RUN-CANCEL-01', valid: true, violations: [], unknownReasons: [], exercised: 1 },
      { clauseId: 'PROCESS-01', valid: true, violations: [], unknownReasons: [], exercised: 1 },
    ],
    durationMs: 812.4,
    tracePath: 'reports/out/cancel-simple-posix/trace.jsonl',
    steps: [{ start: { run: 'solo', durationMs: 5000, exitCode: 0, ignoreSigterm: false, subflows: [] } }, { cancel: { run: 'solo' } }],
    missingCapabilities: [],
    engine: partialEngine(),
    trace: [filler(0), filler(1)],
  };
}

export function failingResult(): ScenarioResult {
  return {
    scenario: 'cancel-nested-win32',
    description: 'Cancel a run with nested concurrent subflows on the Windows strategy.',
    file: 'scenarios/cancel-nested-win32.yaml',
    platform: 'win32',
    bug: 'prefect-17792',
    seed: 42,
    outcome: 'fail',
    verdicts: [
      {
        clauseId: 'RUN-CANCEL-01',
        valid: false,
        violations: [
          {
            clauseId: 'RUN-CANCEL-01',
            message: `run parent stayed in CANCELLING for 5000 ms > cancelBoundMs 4000 (${nastyText})`,
            seq: violationSeqs.cancel,
            entity: 'parent',
          },
        ],
        unknownReasons: [],
        exercised: 1,
      },
      {
        clauseId: 'RUN-CANCEL-04',
        valid: false,
        violations: [
          {
            clauseId: 'RUN-CANCEL-04',
            message: 'run parent: 7 kill-failed events > killAttemptsMax 3',
            seq: violationSeqs.kill,
            entity: 'parent',
          },
        ],
        unknownReasons: [],
        exercised: 1,
      },
      { clauseId: 'PROCESS-01', valid: true, violations: [], unknownReasons: [], exercised: 1 },
    ],
    durationMs: 5230.6,
    tracePath: 'reports/out/cancel-nested-win32/trace.jsonl',
    steps: [
      {
        start: {
          run: 'parent',
          durationMs: 5000,
          exitCode: 0,
          ignoreSigterm: false,
          subflows: [{ name: 'child', subflows: [{ name: 'grandchild' }] }],
        },
      },
      { cancel: { run: 'parent' } },
      { await: { run: 'parent', state: 'CANCELLED', timeoutMs: 6000 } },
    ],
    missingCapabilities: [],
    engine: partialEngine(),
    trace: failingTrace(),
  };
}

export function inconclusiveResult(): ScenarioResult {
  return {
    scenario: 'terminate-archive-failing',
    description: 'Terminate a workflow while the archive listener fails.',
    file: null,
    platform: 'posix',
    bug: null,
    seed: 7,
    outcome: 'inconclusive',
    verdicts: [
      { clauseId: 'WF-TERMINAL-01', valid: 'unknown', violations: [], unknownReasons: ['trace ended before terminateBoundMs'], exercised: 0 },
      { clauseId: 'PROCESS-01', valid: true, violations: [], unknownReasons: [], exercised: 1 },
    ],
    durationMs: 10_000,
    tracePath: null,
    error: 'engine crashed: exit code 139 during step 2 (terminate)',
    steps: [
      { startWorkflow: { workflow: 'wf1', tasks: [{ task: 't1', durationMs: 300, exitCode: 0, ignoreSigterm: false }], listeners: ['archive'] } },
      { terminate: { workflow: 'wf1', reason: 'terminated by scenario' } },
    ],
    missingCapabilities: [],
    engine: partialEngine(),
    trace: [
      filler(0),
      filler(1),
      { seq: 2, timeMs: 20, wallMs: 24, kind: 'end', outcome: 'crash', error: 'exit code 139' },
    ],
  };
}

/** A scenario the fixture engine cannot run: no checking happened, so no verdicts. */
export function notApplicableResult(): ScenarioResult {
  return {
    scenario: 'deploy-update-during-backlog',
    description: 'Update a deployment while its runs back up.',
    file: 'scenarios/deploy-update-during-backlog.yaml',
    platform: 'posix',
    bug: null,
    seed: 42,
    outcome: 'not-applicable',
    verdicts: [],
    durationMs: 41.2,
    tracePath: 'reports/out/traces/deploy-update-during-backlog.jsonl',
    steps: [
      {
        deploy: {
          deployment: 'etl',
          intervalMs: 60_000,
          retries: 0,
          retryDelayMs: 60_000,
          scheduleAheadCount: 2,
          run: { durationMs: 150, exitCodes: [0], ignoreSigterm: false },
        },
      },
      { advance: { ms: 60_000 } },
    ],
    missingCapabilities: [...missingOfNotApplicable],
    engine: partialEngine(),
    trace: [filler(0), { seq: 1, timeMs: 0, wallMs: 40, kind: 'end', outcome: 'completed' }],
  };
}

export function suiteFixture(): SuiteResult {
  return {
    command: 'run',
    startedAt: '2025-01-02T03:04:05.000Z',
    durationMs: 23_412,
    bug: null,
    seed: 42,
    environment,
    engine: partialEngine(),
    results: [passingResult(), failingResult(), inconclusiveResult(), notApplicableResult()],
  };
}
