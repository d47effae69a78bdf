/**
 * Goal: the deployment checkers (DEPLOY-UPDATE-01, DEPLOY-BACKLOG-02, DEPLOY-SLOT-03,
 * RUN-CONCURRENCY-01, RUN-RETRY-01) catch the shapes of PrefectHQ/prefect#17764 (an
 * update deleting Late, AwaitingConcurrencySlot or already-attempted runs, the backlog
 * vanishing, a slot with two runs) and the limit and retry rules of Prefect's policy, and
 * accept the fixed engine's history.
 * Method: `deploymentStory` (test/checker/fixtures.ts) writes a deployment with a Late run
 * and a future run and updates it; by default the update deletes only the future run,
 * as PR #17769 does, and a knob makes it delete more. The update clause is also judged
 * over a table of run histories that differ in one fact each (state, run count,
 * auto-scheduled, start time), all deleted by the same update. Run histories carry the
 * run attributes on every transition, as docs/trace.md asks; the deploy requests carry
 * the concurrency limit. Every violation must name the run and point at its event.
 */
import { describe, expect, it } from 'vitest';
import { createRun, deployRequest, deploymentIds, deploymentStory, deploymentTimes, startRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated, judge } from './verdicts.ts';

const { deployment, lateRun, futureRun, remadeRun } = deploymentIds;
const { lateSlotMs, futureSlotMs, updateAtMs } = deploymentTimes;
const auto = { deploymentId: deployment, autoScheduled: true } as const;

/**
 * One run written by `history`, then a deployment update at logical `updateAtMs` that
 * deletes it (cause `deployment-update`, deployment `nightly`), as the defective engine does.
 */
function updateDeleting(history: (trace: TraceBuilder, runId: string) => void) {
  const trace = new TraceBuilder();
  trace.meta();
  trace.atWall(10);
  deployRequest(trace, 0, { deployment, created: true });
  history(trace, 'run-1');
  trace.atWall(100).atTime(updateAtMs);
  trace.step(1, 'begin', { deploy: { deployment } });
  const deleted = trace.del('run', 'run-1', 'deployment-update', { deploymentId: deployment });
  trace.request('deploy', 'deploy-1', { args: { deployment }, answer: { created: false } });
  trace.step(1, 'end', {}, { outcome: 'ok' });
  trace.end();
  return { events: trace.build(), deleted };
}

/** Run histories an update may not delete, each with what the violation must say. */
const protectedRuns: Array<{ label: string; history: (trace: TraceBuilder, runId: string) => void; says: string[] }> = [
  {
    label: 'a Late run (start passed)',
    history: (trace, id) => {
      createRun(trace, id, { ...auto, scheduledStartMs: lateSlotMs, slotMs: lateSlotMs });
      trace.atTime(updateAtMs).move('run', id, 'SCHEDULED/Late', { cause: 'mark-late-runs' });
    },
    says: ['Late', `its start (${lateSlotMs} ms) was not after the update (${updateAtMs} ms)`],
  },
  {
    label: 'an AwaitingConcurrencySlot run',
    history: (trace, id) => {
      createRun(trace, id, { ...auto, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs });
      trace.move('run', id, 'SCHEDULED/AwaitingConcurrencySlot', { cause: 'concurrency-limit-full' });
    },
    says: ['AwaitingConcurrencySlot'],
  },
  {
    label: 'an AwaitingRetry run (run count 1)',
    history: (trace, id) => {
      createRun(trace, id, { ...auto, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs, retries: 1 });
      startRun(trace, id);
      trace.move('run', id, 'SCHEDULED/AwaitingRetry', { cause: 'retry-failed-flow' });
    },
    says: ['AwaitingRetry', 'it had run 1 time(s)'],
  },
  {
    label: 'a plain SCHEDULED run with run count 1 (rescheduled after a pause)',
    history: (trace, id) => {
      createRun(trace, id, { ...auto, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs });
      startRun(trace, id);
      trace.move('run', id, 'PAUSED', { cause: 'pause' });
      trace.move('run', id, 'SCHEDULED', { cause: 'reschedule' });
    },
    says: ['it had run 1 time(s)'],
  },
  {
    label: 'a manual run (not auto-scheduled)',
    history: (trace, id) => createRun(trace, id, { deploymentId: deployment, autoScheduled: false, scheduledStartMs: futureSlotMs }, { cause: 'create-flow-run' }),
    says: ['not auto-scheduled'],
  },
  {
    label: 'a run whose start is the update moment itself (not strictly in the future)',
    history: (trace, id) => createRun(trace, id, { ...auto, scheduledStartMs: updateAtMs, slotMs: updateAtMs }),
    says: [`its start (${updateAtMs} ms) was not after the update (${updateAtMs} ms)`],
  },
  {
    label: 'a RUNNING run',
    history: (trace, id) => {
      createRun(trace, id, { ...auto, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs });
      startRun(trace, id);
    },
    says: ['it was RUNNING'],
  },
];

describe('DEPLOY-UPDATE-01: an update deletes only future, never-attempted, auto-scheduled SCHEDULED runs', () => {
  it('holds when the update deletes only the future run and the scheduler makes it again', () => {
    expectHolds(deploymentStory().events, 'DEPLOY-UPDATE-01');
  });

  it('holds for the same delete written through `updateDeleting` (the table below differs from it in one fact per row)', () => {
    const { events } = updateDeleting((trace, id) => createRun(trace, id, { ...auto, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs }));
    expectHolds(events, 'DEPLOY-UPDATE-01');
  });

  it.each(protectedRuns.map((row) => [row.label, row] as const))('is violated by deleting %s (prefect-17764)', (_label, { history, says }) => {
    const { events, deleted } = updateDeleting(history);
    const violation = expectViolated(events, 'DEPLOY-UPDATE-01', { entity: 'run-1', seq: deleted.seq });
    for (const fragment of says) expect(violation.message).toContain(fragment);
  });

  it('is violated when the update of the story also deletes its Late run', () => {
    const story = deploymentStory({ deleteOnUpdate: [futureRun, lateRun] });
    const violation = expectViolated(story.events, 'DEPLOY-UPDATE-01', { entity: lateRun, seq: story.deletes.get(lateRun)!.seq });
    expect(violation.message).toContain('Late');
    expect(judge(story.events, 'DEPLOY-UPDATE-01').violations.map((each) => each.entity)).toEqual([lateRun]);
  });

  it('does not judge deletes with another cause (a user deleting a Late run)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', { ...auto, scheduledStartMs: lateSlotMs, slotMs: lateSlotMs });
    trace.atTime(updateAtMs).move('run', 'run-1', 'SCHEDULED/Late', { cause: 'mark-late-runs' });
    trace.del('run', 'run-1', 'engine', { detail: 'a user deleted it' });
    trace.end();
    expectHolds(trace.build(), 'DEPLOY-UPDATE-01');
  });
});

describe('DEPLOY-BACKLOG-02: every backlog run at an update is executed afterwards', () => {
  const backlogStates = ['SCHEDULED/Late', 'SCHEDULED/AwaitingRetry', 'SCHEDULED/AwaitingConcurrencySlot'] as const;

  it.each(backlogStates)('holds when a %s run is kept and executed after the update', (backlogState) => {
    expectHolds(deploymentStory({ backlogState }).events, 'DEPLOY-BACKLOG-02');
  });

  it.each(backlogStates)('is violated when the update deletes a %s run (prefect-17764)', (backlogState) => {
    const story = deploymentStory({ backlogState, deleteOnUpdate: [futureRun, lateRun] });
    const violation = expectViolated(story.events, 'DEPLOY-BACKLOG-02', { entity: lateRun, seq: story.deletes.get(lateRun)!.seq });
    expect(violation.message).toContain(backlogState);
    expect(violation.message).toContain(deployment);
  });

  it('is unknown when the backlog run is kept but still waiting when the trace ends', () => {
    const story = deploymentStory({ executeBacklog: false });
    expectUnknown(story.events, 'DEPLOY-BACKLOG-02', lateRun);
  });

  it('takes the backlog at the step that made the update: a delete between step begin and answer counts', () => {
    const story = deploymentStory({ deleteOnUpdate: [futureRun, lateRun] });
    const deleted = story.deletes.get(lateRun)!;
    expect(deleted.seq).toBeGreaterThan(story.updateBegin.seq);
    expect(deleted.seq).toBeLessThan(story.update.seq);
    expect(judge(story.events, 'DEPLOY-BACKLOG-02').valid).toBe(false);
  });

  it('does not count a future run as backlog: deleting it is no violation of this clause', () => {
    const story = deploymentStory({ remakeFutureSlot: false });
    expect(story.deletes.has(futureRun)).toBe(true);
    expectHolds(story.events, 'DEPLOY-BACKLOG-02');
  });
});

describe('DEPLOY-SLOT-03: no schedule slot has two live runs', () => {
  it('holds when the update deletes a slot run before the scheduler makes it again', () => {
    expectHolds(deploymentStory().events, 'DEPLOY-SLOT-03');
  });

  it('is violated when the scheduler makes a second run for a slot whose run was kept', () => {
    const story = deploymentStory({ deleteOnUpdate: [] });
    const violation = expectViolated(story.events, 'DEPLOY-SLOT-03', { entity: remadeRun, seq: story.remade!.seq });
    expect(violation.message).toContain(`${deployment}@${futureSlotMs}`);
    expect(violation.message).toContain(futureRun);
  });

  it('holds when the update keeps the slot run and makes no new one', () => {
    expectHolds(deploymentStory({ deleteOnUpdate: [], remakeFutureSlot: false }).events, 'DEPLOY-SLOT-03');
  });

  it('leaves manual runs (slotMs null) and other deployments out of the slots', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'manual-1', { deploymentId: deployment, scheduledStartMs: futureSlotMs }, { cause: 'create-flow-run' });
    createRun(trace, 'manual-2', { deploymentId: deployment, scheduledStartMs: futureSlotMs }, { cause: 'create-flow-run' });
    createRun(trace, 'auto-1', { ...auto, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs });
    createRun(trace, 'other-1', { deploymentId: 'weekly', autoScheduled: true, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs });
    trace.end();
    expectHolds(trace.build(), 'DEPLOY-SLOT-03');
  });
});

/**
 * Runs of `nightly` (limit from its deploy request): the first `running` start together;
 * the rest wait in AwaitingConcurrencySlot until the first ones complete.
 */
function concurrencyTrace(options: { concurrencyLimit?: number; runs: number; together: number }) {
  const trace = new TraceBuilder();
  trace.meta();
  deployRequest(trace, 0, { deployment, created: true, ...(options.concurrencyLimit === undefined ? {} : { concurrencyLimit: options.concurrencyLimit }) });
  const ids = Array.from({ length: options.runs }, (_, index) => `run-${index + 1}`);
  for (const [index, id] of ids.entries()) createRun(trace, id, { ...auto, scheduledStartMs: (index + 1) * 1000, slotMs: (index + 1) * 1000 });
  const starts = new Map<string, number>();
  for (const id of ids.slice(0, options.together)) {
    trace.afterWall(10);
    starts.set(id, trace.move('run', id, 'PENDING', { cause: 'worker-acquired' }).seq);
    trace.move('run', id, 'RUNNING', { cause: 'process-started', attributes: { runCount: 1 } });
  }
  for (const id of ids.slice(options.together)) trace.move('run', id, 'SCHEDULED/AwaitingConcurrencySlot', { cause: 'concurrency-limit-full' });
  for (const id of ids.slice(0, options.together)) trace.afterWall(10).move('run', id, 'COMPLETED', { cause: 'process-exited' });
  for (const id of ids.slice(options.together)) {
    trace.afterWall(10);
    startRun(trace, id);
    trace.move('run', id, 'COMPLETED', { cause: 'process-exited' });
  }
  trace.end();
  return { events: trace.build(), ids, starts };
}

describe('RUN-CONCURRENCY-01: active runs of a deployment stay within its concurrency limit', () => {
  it.each([1, 2, 3])('holds with limit %i when that many runs are active at once and one more waits for a slot', (limit) => {
    expectHolds(concurrencyTrace({ concurrencyLimit: limit, runs: limit + 1, together: limit }).events, 'RUN-CONCURRENCY-01');
  });

  it.each([1, 2, 3])('is violated with limit %i when one more run starts while the others are active', (limit) => {
    const { events, ids, starts } = concurrencyTrace({ concurrencyLimit: limit, runs: limit + 1, together: limit + 1 });
    const extra = ids[limit]!;
    const violation = expectViolated(events, 'RUN-CONCURRENCY-01', { entity: extra, seq: starts.get(extra)! });
    expect(violation.message).toContain(deployment);
    expect(violation.message).toContain(`limit of ${limit}`);
  });

  it('holds for any number of active runs when the deploy request sets no limit', () => {
    expectHolds(concurrencyTrace({ runs: 3, together: 3 }).events, 'RUN-CONCURRENCY-01');
  });

  it('counts a CANCELLING run as holding its slot', () => {
    const trace = new TraceBuilder();
    trace.meta();
    deployRequest(trace, 0, { deployment, created: true, concurrencyLimit: 1 });
    createRun(trace, 'run-1', { ...auto, scheduledStartMs: 1000, slotMs: 1000 });
    createRun(trace, 'run-2', { ...auto, scheduledStartMs: 2000, slotMs: 2000 });
    startRun(trace, 'run-1');
    trace.move('run', 'run-1', 'CANCELLING', { cause: 'cancel' });
    const second = trace.move('run', 'run-2', 'PENDING', { cause: 'worker-acquired' });
    trace.end();
    expectViolated(trace.build(), 'RUN-CONCURRENCY-01', { entity: 'run-2', seq: second.seq });
  });
});

/** One run with `retries`, through the given attempts; each attempt ends as written. */
function retryTrace(retries: number, attempts: Array<'retry' | 'FAILED' | 'COMPLETED'>) {
  const trace = new TraceBuilder();
  trace.meta();
  createRun(trace, 'run-1', { deploymentId: deployment, retries }, { cause: 'create-flow-run' });
  const ends = [];
  for (const [index, outcome] of attempts.entries()) {
    trace.afterWall(10);
    startRun(trace, 'run-1', { retrying: index > 0 });
    ends.push(trace.move('run', 'run-1', outcome === 'retry' ? 'SCHEDULED/AwaitingRetry' : outcome, { cause: 'process-exited' }));
  }
  trace.end();
  return { events: trace.build(), ends };
}

describe('RUN-RETRY-01: a run that fails with retries left goes to AwaitingRetry, and runs at most retries + 1 times', () => {
  it.each([0, 1, 2])('holds with %i retries, all used, the last attempt FAILED', (retries) => {
    const attempts = [...Array<'retry'>(retries).fill('retry'), 'FAILED' as const];
    expectHolds(retryTrace(retries, attempts).events, 'RUN-RETRY-01');
  });

  it.each([1, 2])('is violated by FAILED on the first attempt with %i retries left', (retries) => {
    const { events, ends } = retryTrace(retries, ['FAILED']);
    const violation = expectViolated(events, 'RUN-RETRY-01', { entity: 'run-1', seq: ends[0]!.seq });
    expect(violation.message).toContain(`${retries} retries`);
    expect(violation.message).toContain('AwaitingRetry');
  });

  it.each([0, 1])('is violated by a run back in AwaitingRetry after its %i retries are used up', (retries) => {
    const attempts = [...Array<'retry'>(retries + 1).fill('retry')];
    const { events, ends } = retryTrace(retries, attempts);
    const violation = expectViolated(events, 'RUN-RETRY-01', { entity: 'run-1', seq: ends.at(-1)!.seq });
    expect(violation.message).toContain(`after ${retries + 1} attempt(s) with ${retries} retries`);
    expect(violation.message).toContain('none left');
  });

  it('is violated by a run attempted retries + 2 times', () => {
    // The second retry is itself a violation (none left); the third attempt is another.
    const { events } = retryTrace(1, ['retry', 'retry', 'COMPLETED']);
    expectViolated(events, 'RUN-RETRY-01', { entity: 'run-1' });
    expect(judge(events, 'RUN-RETRY-01').violations.map((violation) => violation.message)).toContainEqual(expect.stringContaining('ran 3 times with 1 retries'));
  });
});

/**
 * Regressions: checker defects found while writing these tests, each fixed; the test
 * states what the clause says so the defect cannot come back.
 */
describe('checker regressions', () => {
  it('RUN-RETRY-01 should not count resuming a PAUSED run as another attempt (Prefect IncrementFlowRunCount)', () => {
    // Prefect does not increment run_count when a paused run resumes; the checker used to count
    // every entry into RUNNING from a non-RUNNING state, so a run with no retries that
    // pauses once and completes "ran 2 times with 0 retries".
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', { retries: 0 }, { cause: 'create-flow-run' });
    startRun(trace, 'run-1');
    trace.move('run', 'run-1', 'PAUSED', { cause: 'pause' });
    trace.move('run', 'run-1', 'RUNNING', { cause: 'resume' });
    trace.move('run', 'run-1', 'COMPLETED', { cause: 'process-exited' });
    trace.end();
    expectHolds(trace.build(), 'RUN-RETRY-01');
  });
});
