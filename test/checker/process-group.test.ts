/**
 * RUN-CANCEL-02 counts processes the engine never reported: a process seen in the
 * process group that the run's own process leads is in the run's tree. Method: a
 * hand-made trace where a child (owner `r1.orphan`, no transition) of a cancelled run
 * stays alive past the bound; it must be caught through its group id alone.
 */
import { describe, expect, it } from 'vitest';
import { defaultBounds } from '../../trace/events.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectViolated, judge } from './verdicts.ts';

function cancelledWithOrphan(orphanGroupId: number) {
  const trace = new TraceBuilder();
  trace.meta();
  trace.transition('run', 'r1', null, 'PENDING');
  trace.move('run', 'r1', 'RUNNING');
  trace.observeProcess(100, 'r1', true, { groupId: 100 });
  trace.observeProcess(101, 'r1.orphan', true, { groupId: orphanGroupId });
  trace.afterWall(10).move('run', 'r1', 'CANCELLING');
  trace.afterWall(20).observeProcess(100, 'r1', false);
  trace.move('run', 'r1', 'CANCELLED');
  trace.observe('run', 'r1', 'CANCELLED');
  // The harness's last read before teardown still finds the orphan alive; the sweep after
  // teardown, once the engine has ended it, says so.
  const lastReadWallMs = trace.afterWall(defaultBounds.cancelBoundMs).nowWallMs;
  trace.teardown();
  trace.afterWall(5).observeProcess(101, 'r1.orphan', false, { reason: 'scenario-end', seenAliveWallMs: lastReadWallMs });
  trace.end();
  return trace.build();
}

describe('RUN-CANCEL-02 and process groups', () => {
  it('is violated by an unreported process in the group the run leads', () => {
    const events = cancelledWithOrphan(100);
    // The root's own observations must say it leads group 100 for the link to hold.
    expect(events.some((event) => event.kind === 'observe-process' && event.pid === 100)).toBe(true);
    expectViolated(events, 'RUN-CANCEL-02', { entity: 'r1' });
  });

  it('does not count a process of another group', () => {
    expect(judge(cancelledWithOrphan(999), 'RUN-CANCEL-02').valid).toBe(true);
  });
});
