/**
 * Goal: the run-cancel checkers (RUN-CANCEL-01..04) catch the shapes of
 * PrefectHQ/prefect#17792 (a run stuck in CANCELLING, its subflows' processes left
 * running, its subflows left RUNNING, a failing kill retried for ever) and accept the
 * fixed engine's history; when the trace ends before a bound, they say 'unknown'.
 * Method: `cancelStory` (test/checker/fixtures.ts) writes a parent run with one subflow,
 * each with a process, and cancels the parent; its defaults are the fixed engine, and
 * each test turns one knob to put one defect in. Times are stated relative to the bound
 * in the trace's meta line, one ms on either side of it where the edge matters. Every
 * violation must name the run and point at the event that shows it.
 */
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import { cancelledSettleMs } from '../../harness/checker/run-cancel.ts';
import { pollMs } from '../../harness/runner/session.ts';
import { defaultBounds } from '../../trace/events.ts';
import { cancelIds, cancelStory, createRun, startRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated, judge } from './verdicts.ts';

const bound = defaultBounds.cancelBoundMs;
const { parent, subflow, parentPid, subflowPid } = cancelIds;

describe('RUN-CANCEL-01: a run in CANCELLING reaches CANCELLED within cancelBoundMs', () => {
  it('holds when the run is CANCELLED well within the bound', () => {
    expectHolds(cancelStory().events, 'RUN-CANCEL-01');
  });

  it('holds when CANCELLED exactly at the bound, and is violated 1 ms after it', () => {
    const onTime = cancelStory({ parentCancelledAfterMs: bound });
    expectHolds(onTime.events, 'RUN-CANCEL-01', { alone: true });
    const late = cancelStory({ parentCancelledAfterMs: bound + 1 });
    const violation = expectViolated(late.events, 'RUN-CANCEL-01', { entity: parent, seq: late.parentCancelled!.seq });
    expect(violation.message).toContain(`${bound + 1} ms`);
    expect(violation.message).toContain(`bound ${bound} ms`);
  });

  it('is violated by a run stuck in CANCELLING past the bound (prefect-17792)', () => {
    const story = cancelStory({ parentCancelledAfterMs: null, parentProcessDeadAfterMs: null, killFailures: 3 });
    const violation = expectViolated(story.events, 'RUN-CANCEL-01', { entity: parent, seq: story.cancelling.seq });
    expect(violation.message).toContain('CANCELLING');
    expect(violation.message).toContain(`${bound} ms`);
  });

  it('is unknown when the trace ends before the bound with the run still CANCELLING', () => {
    const story = cancelStory({ parentCancelledAfterMs: null, endAfterMs: bound - 1 });
    expectUnknown(story.events, 'RUN-CANCEL-01', parent);
  });

  it('is decided, not unknown, once the bound is reached: one ms more turns unknown into false', () => {
    const cut = cancelStory({ parentCancelledAfterMs: null, endAfterMs: bound - 1 });
    const reached = cancelStory({ parentCancelledAfterMs: null, endAfterMs: bound });
    expect(judge(cut.events, 'RUN-CANCEL-01').valid).toBe('unknown');
    expect(judge(reached.events, 'RUN-CANCEL-01').valid).toBe(false);
  });
});

describe("RUN-CANCEL-02: no process of a cancelled run's tree is alive", () => {
  it('holds when every process of the tree is seen dead before the run is read back CANCELLED', () => {
    expectHolds(cancelStory().events, 'RUN-CANCEL-02');
  });

  it("is violated by a subflow's process still alive at the cancel bound (owner is the subflow, known through its parentId)", () => {
    const story = cancelStory({ parentCancelledAfterMs: null, parentProcessDeadAfterMs: 500, subflowProcessDeadAfterMs: null });
    const violation = expectViolated(story.events, 'RUN-CANCEL-02', { entity: parent, seq: story.subflowProcessLastSeen.seq });
    expect(violation.message).toContain(`pid ${subflowPid} (${subflow}`);
    expect(violation.message).not.toContain(`pid ${parentPid}`);
    expect(violation.message).toContain(`${bound} ms after it entered CANCELLING`);
  });

  it(`is violated when the run is read back CANCELLED and a subflow process is alive ${cancelledSettleMs} ms later`, () => {
    // The engine says CANCELLED, the UI shows CANCELLED, the subflow's process runs on.
    const story = cancelStory({ subflowProcessDeadAfterMs: null });
    const violation = expectViolated(story.events, 'RUN-CANCEL-02', { entity: parent });
    expect(violation.message).toContain(`pid ${subflowPid} (${subflow}`);
    expect(violation.message).toContain('read back CANCELLED');
  });

  it('is violated when the process dies only after the bound (a read after the bound found it alive)', () => {
    const story = cancelStory({ parentCancelledAfterMs: null, parentProcessDeadAfterMs: 500, subflowProcessDeadAfterMs: bound + pollMs });
    const violation = expectViolated(story.events, 'RUN-CANCEL-02', { entity: parent });
    expect(violation.message).toContain(`pid ${subflowPid}`);
  });

  it("follows the tree down: a sub-subflow's process counts too", () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-a', {}, { cause: 'execute' });
    startRun(trace, 'run-a');
    createRun(trace, 'run-b', {}, { parentId: 'run-a', cause: 'subflow-started' });
    startRun(trace, 'run-b');
    createRun(trace, 'run-c', {}, { parentId: 'run-b', cause: 'subflow-started' });
    startRun(trace, 'run-c');
    trace.observeProcess(7003, 'run-c', true);
    trace.atWall(1000);
    const cancelling = trace.move('run', 'run-a', 'CANCELLING', { cause: 'cancel' });
    trace.atWall(cancelling.wallMs + bound);
    const stillAlive = trace.observeProcess(7003, 'run-c', true);
    trace.end();
    const violation = expectViolated(trace.build(), 'RUN-CANCEL-02', { entity: 'run-a', seq: stillAlive.seq });
    expect(violation.message).toContain('pid 7003 (run-c');
  });

  it('holds when the death is read a poll late, after the settle time, and the read before found the process alive before it', () => {
    // Under load the next /proc read comes 300 ms after CANCELLED is read: the death is
    // read then. Seen alive only before the settle time proves nothing.
    for (const seenAliveWallMs of [cancelledAt - pollMs, undefined]) {
      const events = cancelledThenRead({ deathReadAfterMs: 300, seenAliveWallMs });
      expect(judge(events, 'RUN-CANCEL-02').valid, `seenAliveWallMs ${seenAliveWallMs}`).toBe(true);
    }
  });

  it('is violated when a read after the settle time found the process alive, though its death is read later still', () => {
    const events = cancelledThenRead({ deathReadAfterMs: 300, seenAliveWallMs: cancelledAt + cancelledSettleMs + pollMs });
    const death = events.find((event) => event.kind === 'observe-process' && !event.alive)!;
    const violation = expectViolated(events, 'RUN-CANCEL-02', { entity: 'run-a', seq: death.seq });
    expect(violation.message).toContain(`seen alive at ${cancelledAt + cancelledSettleMs + pollMs} ms`);
  });

  it('is unknown, and keeps its deadline open for the runner, when no read after the settle time shows the process alive or dead', () => {
    const events = cancelledThenRead({ deathReadAfterMs: null, seenAliveWallMs: undefined });
    const verdict = expectUnknown(events, 'RUN-CANCEL-02', 'run-a');
    expect(verdict.unknownReasons.join(' ')).toContain('pid 7001');
    expect(checkTrace(events, ['RUN-CANCEL-02']).openBoundsEndWallMs).toBe(cancelledAt + cancelledSettleMs);
  });

  it('is unknown when the trace ends before the bound and the run was never read back CANCELLED', () => {
    // The parent's process is still alive when the trace ends, 1 ms before its bound.
    const story = cancelStory({ parentCancelledAfterMs: null, endAfterMs: bound - 1 });
    expectUnknown(story.events, 'RUN-CANCEL-02', parent);
  });
});

describe('RUN-CANCEL-03: every non-terminal subflow of a cancelled parent reaches CANCELLED', () => {
  it('holds when the subflow goes CANCELLING and CANCELLED with its parent', () => {
    expectHolds(cancelStory().events, 'RUN-CANCEL-03');
  });

  it('is violated by a subflow left RUNNING (prefect-17792)', () => {
    const story = cancelStory({ subflow: { to: 'RUNNING' } });
    const violation = expectViolated(story.events, 'RUN-CANCEL-03', { entity: subflow, seq: story.cancelling.seq });
    expect(violation.message).toContain('still RUNNING');
    expect(violation.message).toContain(parent);
  });

  it('is violated by a subflow left in CANCELLING', () => {
    const story = cancelStory({ subflow: { to: 'CANCELLING' } });
    const violation = expectViolated(story.events, 'RUN-CANCEL-03', { entity: subflow });
    expect(violation.message).toContain('still CANCELLING');
  });

  it('is violated by a subflow CANCELLED only after the bound', () => {
    const story = cancelStory({ subflow: { to: 'CANCELLED', afterMs: bound + 1 } });
    expectViolated(story.events, 'RUN-CANCEL-03', { entity: subflow });
  });

  it('is violated by a subflow that ends COMPLETED instead of CANCELLED', () => {
    const story = cancelStory({ subflow: { to: 'COMPLETED', afterMs: 500 } });
    const violation = expectViolated(story.events, 'RUN-CANCEL-03', { entity: subflow, seq: story.subflowEnded!.seq });
    expect(violation.message).toContain('COMPLETED');
  });

  it('does not judge a subflow that was already terminal when its parent was cancelled', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-a', {}, { cause: 'execute' });
    startRun(trace, 'run-a');
    createRun(trace, 'run-b', {}, { parentId: 'run-a', cause: 'subflow-started' });
    startRun(trace, 'run-b');
    trace.move('run', 'run-b', 'COMPLETED', { cause: 'process-exited' });
    trace.atWall(1000);
    trace.move('run', 'run-a', 'CANCELLING', { cause: 'cancel' });
    trace.afterWall(100).move('run', 'run-a', 'CANCELLED', { cause: 'process-exited' });
    trace.atWall(1000 + bound + 1);
    trace.end();
    expectHolds(trace.build(), 'RUN-CANCEL-03');
  });

  it('is unknown when the trace ends before the bound with the subflow still RUNNING', () => {
    const story = cancelStory({ subflow: { to: 'RUNNING' }, endAfterMs: bound - 1 });
    expectUnknown(story.events, 'RUN-CANCEL-03', subflow);
  });
});

describe('RUN-CANCEL-04: a failing kill is reported and not retried more than killAttemptsMax times', () => {
  it.each([1, defaultBounds.killAttemptsMax])('holds for killAttemptsMax = %i failures, each with its error', (killAttemptsMax) => {
    const story = cancelStory({ bounds: { killAttemptsMax }, killFailures: killAttemptsMax });
    expect(story.killFailures).toHaveLength(killAttemptsMax);
    expectHolds(story.events, 'RUN-CANCEL-04');
  });

  it.each([1, defaultBounds.killAttemptsMax])('is violated by killAttemptsMax + 1 failures with killAttemptsMax = %i (prefect-17792)', (killAttemptsMax) => {
    const story = cancelStory({ bounds: { killAttemptsMax }, killFailures: killAttemptsMax + 1, parentCancelledAfterMs: null });
    const violation = expectViolated(story.events, 'RUN-CANCEL-04', { entity: parent, seq: story.killFailures[killAttemptsMax]!.seq });
    expect(violation.message).toContain(`${killAttemptsMax + 1} times`);
    expect(judge(story.events, 'RUN-CANCEL-04').violations).toHaveLength(1);
  });

  it('is violated by a kill that failed without saying why', () => {
    const story = cancelStory({ killFailures: 1, killErrorMissing: true });
    expectViolated(story.events, 'RUN-CANCEL-04', { entity: parent, seq: story.killFailures[0]!.seq });
  });

  it('counts per owner: killAttemptsMax failures for each of two runs hold', () => {
    const trace = new TraceBuilder();
    trace.meta();
    for (const owner of ['run-a', 'run-b']) {
      for (let attempt = 1; attempt <= trace.bounds.killAttemptsMax; attempt += 1) {
        trace.afterWall(10).processEvent('kill-failed', owner, { pid: 100, error: 'Error: EPERM' });
      }
    }
    trace.end();
    expectHolds(trace.build(), 'RUN-CANCEL-04', { alone: true });
  });
});

/** When `cancelledThenRead` reads the run back CANCELLED (wall ms). */
const cancelledAt = 1500;

/**
 * A run whose process was seen alive at its start, cancelled at 1000 ms, CANCELLED and read
 * back so at `cancelledAt`; the process's death is read `deathReadAfterMs` after that
 * (null: never before teardown, 1000 ms later), its line saying when /proc last found
 * it alive (`seenAliveWallMs`; undefined: a harness that does not say).
 */
function cancelledThenRead(options: { deathReadAfterMs: number | null; seenAliveWallMs: number | undefined }) {
  const trace = new TraceBuilder();
  trace.meta();
  createRun(trace, 'run-a', {}, { cause: 'execute' });
  startRun(trace, 'run-a');
  trace.atWall(20).observeProcess(7001, 'run-a', true);
  trace.atWall(1000);
  trace.move('run', 'run-a', 'CANCELLING', { cause: 'cancel' });
  trace.atWall(cancelledAt);
  trace.move('run', 'run-a', 'CANCELLED', { cause: 'process-exited' });
  trace.observe('run', 'run-a', 'CANCELLED');
  if (options.deathReadAfterMs !== null) {
    trace.atWall(cancelledAt + options.deathReadAfterMs);
    trace.observeProcess(7001, 'run-a', false, options.seenAliveWallMs === undefined ? {} : { seenAliveWallMs: options.seenAliveWallMs });
  }
  trace.atWall(cancelledAt + 1000).teardown();
  trace.end();
  return trace.build();
}

/**
 * A run stuck in CANCELLING with a live process, the harness's teardown line (if any)
 * `teardownAfterMs` after the cancel, and the scenario-end sweep after the bound, seeing
 * the process dead because teardown killed it; the sweep's line says the harness last
 * found it alive at its read just before teardown (without teardown, a poll before the sweep).
 */
function stuckUntilTeardown(teardownAfterMs: number | null) {
  const trace = new TraceBuilder();
  trace.meta();
  createRun(trace, 'run-a', {}, { cause: 'execute' });
  startRun(trace, 'run-a');
  trace.observeProcess(7001, 'run-a', true);
  trace.atWall(1000);
  trace.move('run', 'run-a', 'CANCELLING', { cause: 'cancel' });
  if (teardownAfterMs !== null) trace.atWall(1000 + teardownAfterMs).teardown();
  trace.atWall(1000 + bound + 100);
  const lastReadWallMs = teardownAfterMs === null ? trace.nowWallMs - pollMs : 1000 + teardownAfterMs;
  trace.observeProcess(7001, 'run-a', false, { reason: 'scenario-end', seenAliveWallMs: lastReadWallMs });
  trace.end();
  return trace.build();
}

describe('the teardown line ends the history for the liveness clauses', () => {
  it('a teardown before the bound leaves RUN-CANCEL-01 and RUN-CANCEL-02 unknown, though the end line is past it', () => {
    const events = stuckUntilTeardown(bound - 1);
    expectUnknown(events, 'RUN-CANCEL-01', 'run-a');
    expectUnknown(events, 'RUN-CANCEL-02', 'run-a');
  });

  it('a teardown at the bound, or none at all, lets them decide: false', () => {
    for (const teardownAfterMs of [bound, null]) {
      const events = stuckUntilTeardown(teardownAfterMs);
      expectViolated(events, 'RUN-CANCEL-01', { entity: 'run-a' });
      expectViolated(events, 'RUN-CANCEL-02', { entity: 'run-a' });
    }
  });

  it('does not credit the engine with a process that the harness killed at teardown', () => {
    // The sweep after teardown sees the process dead before the cancel bound. Without
    // the teardown line that look would count as the engine's kill; with it, the last
    // look of the engine's history shows the process alive.
    const build = (withTeardown: boolean) => {
      const trace = new TraceBuilder();
      trace.meta();
      createRun(trace, 'run-a', {}, { cause: 'execute' });
      startRun(trace, 'run-a');
      trace.observeProcess(7001, 'run-a', true);
      trace.atWall(1000);
      trace.move('run', 'run-a', 'CANCELLING', { cause: 'cancel' });
      trace.atWall(1500);
      if (withTeardown) trace.teardown();
      trace.atWall(1600).observeProcess(7001, 'run-a', false, { reason: 'scenario-end' });
      trace.atWall(1000 + bound + 10).end();
      return trace.build();
    };
    expect(judge(build(false), 'RUN-CANCEL-02').valid).toBe(true);
    expectUnknown(build(true), 'RUN-CANCEL-02', 'run-a');
  });
});

/**
 * Regressions: checker defects found while writing these tests, each fixed; the test
 * states what the clause says so the defect cannot come back.
 */
describe('checker regressions', () => {
  it("RUN-CANCEL-02 should judge a run cancelled straight from PAUSED whose own process lives on", () => {
    // The run machine allows PAUSED → CANCELLED (no CANCELLING), and a run paused in
    // process keeps its process. The checker used to look only at runs entering CANCELLING, so
    // this run's tree was never judged, though the clause says "once a run is CANCELLED".
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-a', {}, { cause: 'execute' });
    startRun(trace, 'run-a');
    trace.observeProcess(7001, 'run-a', true);
    trace.move('run', 'run-a', 'PAUSED', { cause: 'pause' });
    trace.atWall(1000);
    trace.move('run', 'run-a', 'CANCELLED', { cause: 'cancel' });
    trace.observe('run', 'run-a', 'CANCELLED');
    trace.atWall(1000 + bound);
    trace.observeProcess(7001, 'run-a', true);
    trace.end();
    expectViolated(trace.build(), 'RUN-CANCEL-02', { entity: 'run-a' });
  });
});
