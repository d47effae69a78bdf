/**
 * Goal: WF-ARCHIVE-01 is judged from outside. A terminal workflow with an archive
 * listener must be read back archived within archiveBoundMs of the archive store being
 * healthy; conductor-oss/conductor#303's shape (the listener failed on terminate and was
 * never retried, so the workflow is never archived after the store heals) is a violation
 * found from read-backs and fault lines alone. The checker says 'unknown' when the trace
 * ends before the bound or the query API shows no `archived`, and judges nothing where the
 * listener may rightly have given up (an outage longer than the bound) or has no archive
 * listener at all.
 * Method: hand-made traces with no engine transition at all, as with pushed events
 * withheld: a start-workflow request, numbered looks (observe lines with `archived`), and
 * the nemesis's archive-listener fault lines. The workflow is first read back TERMINATED
 * at wall 1000 ms.
 */
import { describe, expect, it } from 'vitest';
import { defaultBounds, type TraceEvent } from '../../trace/events.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated, judge } from './verdicts.ts';

const bound = defaultBounds.archiveBoundMs;
const workflow = 'order-7';
const terminalAtMs = 1000;

interface StoryOptions {
  /** The archive store fails from 500 ms until this wall time; null: never healed; undefined: never fails. */
  healAtMs?: number | null;
  /** When the workflow is read back archived; null: never. */
  archivedAtMs: number | null;
  /** When the trace ends (wall ms). */
  endAtMs: number;
  /** The query API shows `archived` (false: an engine that does not say). */
  showsArchived?: boolean;
  listeners?: string[];
  /** The store fails again at this wall time (after the heal). */
  failsAgainAtMs?: number;
  /** Side-effect lines the engine pushed for the archive call. */
  pushedCalls?: boolean;
}

function archiveStory(options: StoryOptions): TraceEvent[] {
  const trace = new TraceBuilder();
  const shown = (archived: boolean) => (options.showsArchived === false ? {} : { archived });
  let look = 0;
  trace.meta();
  trace.atWall(10).request('start-workflow', 'op-1', { args: { workflow, tasks: [{ task: 'pack', durationMs: 100 }], ...(options.listeners ? { listeners: options.listeners } : {}) } });
  trace.atWall(20).observe('workflow', workflow, 'RUNNING', { look: ++look, ...shown(false) });
  if (options.healAtMs !== undefined) trace.atWall(500).fault('inject', 'archive-listener');
  if (options.pushedCalls) trace.atWall(990).sideEffect('archive', workflow, 1, 'error', 'archive store unavailable');
  trace.atWall(terminalAtMs).observe('workflow', workflow, 'TERMINATED', { look: ++look, ...shown(options.archivedAtMs === terminalAtMs) });
  const later: Array<[number, () => void]> = [];
  if (typeof options.healAtMs === 'number') later.push([options.healAtMs, () => trace.fault('clear', 'archive-listener')]);
  if (options.failsAgainAtMs !== undefined) later.push([options.failsAgainAtMs, () => trace.fault('inject', 'archive-listener')]);
  if (options.archivedAtMs !== null && options.archivedAtMs > terminalAtMs) {
    later.push([options.archivedAtMs, () => trace.observe('workflow', workflow, 'TERMINATED', { look: ++look, ...shown(true) })]);
  }
  for (const [atMs, write] of later.sort((a, b) => a[0] - b[0])) {
    trace.atWall(atMs);
    write();
  }
  trace.atWall(options.endAtMs).teardown();
  trace.end();
  return trace.build();
}

describe('WF-ARCHIVE-01: a terminal workflow with an archive listener is read back archived within archiveBoundMs once the store is healthy', () => {
  it('holds when the workflow is read back archived with its terminal state, the store healthy', () => {
    const verdict = expectHolds(archiveStory({ archivedAtMs: terminalAtMs, endAtMs: 1500 }), 'WF-ARCHIVE-01');
    expect(verdict.exercised).toBe(1);
  });

  it('holds when the store heals after the terminate and the workflow is archived within the bound of the heal', () => {
    const verdict = expectHolds(archiveStory({ healAtMs: 1700, archivedAtMs: 2300, endAtMs: 2500 }), 'WF-ARCHIVE-01');
    expect(verdict.exercised).toBe(1);
  });

  it('is violated when the workflow is never read back archived once the store has healed (conductor-303)', () => {
    const events = archiveStory({ healAtMs: 1700, archivedAtMs: null, endAtMs: 1700 + bound + 100 });
    const violation = expectViolated(events, 'WF-ARCHIVE-01', { entity: workflow });
    expect(violation.message).toContain('not archived');
    expect(violation.message).toContain(`bound ${bound} ms`);
    expect(violation.message).toContain('healed');
  });

  it('holds when read back archived exactly at the bound, and is violated 1 ms after it', () => {
    expectHolds(archiveStory({ healAtMs: 1700, archivedAtMs: 1700 + bound, endAtMs: 1700 + bound + 100 }), 'WF-ARCHIVE-01', { alone: true });
    const violation = expectViolated(archiveStory({ healAtMs: 1700, archivedAtMs: 1700 + bound + 1, endAtMs: 1700 + bound + 100 }), 'WF-ARCHIVE-01', { entity: workflow });
    expect(violation.message).toContain(`only ${bound + 1} ms after`);
  });

  it('counts the bound from the terminal read-back when the store was healthy then', () => {
    expectViolated(archiveStory({ archivedAtMs: null, endAtMs: terminalAtMs + bound + 1 }), 'WF-ARCHIVE-01', { entity: workflow });
  });

  it('is unknown when the trace ends before the bound has passed', () => {
    expectUnknown(archiveStory({ healAtMs: 1700, archivedAtMs: null, endAtMs: 1700 + bound - 1 }), 'WF-ARCHIVE-01', workflow);
  });

  it('is unknown, never a pass, when the query API shows no `archived`', () => {
    const verdict = expectUnknown(archiveStory({ archivedAtMs: null, endAtMs: terminalAtMs + bound + 100, showsArchived: false }), 'WF-ARCHIVE-01', workflow);
    expect(verdict.unknownReasons.join(' ')).toContain('archived');
  });

  it('judges nothing where the listener may rightly have given up: the store healed more than the bound after the terminal read-back, or never', () => {
    for (const healAtMs of [terminalAtMs + bound + 1, null]) {
      const verdict = judge(archiveStory({ healAtMs, archivedAtMs: null, endAtMs: terminalAtMs + 2 * bound + 500 }), 'WF-ARCHIVE-01');
      expect(verdict.valid).toBe(true);
      expect(verdict.exercised).toBe(0);
    }
  });

  it('judges nothing when the store fails again before the workflow was read back archived', () => {
    const verdict = judge(archiveStory({ healAtMs: 1700, failsAgainAtMs: 1900, archivedAtMs: null, endAtMs: 1700 + bound + 100 }), 'WF-ARCHIVE-01');
    expect(verdict.valid).toBe(true);
    expect(verdict.exercised).toBe(0);
  });

  it('judges nothing for a workflow started without the archive listener', () => {
    const verdict = judge(archiveStory({ listeners: [], archivedAtMs: null, endAtMs: terminalAtMs + bound + 100 }), 'WF-ARCHIVE-01');
    expect(verdict.valid).toBe(true);
    expect(verdict.exercised).toBe(0);
  });

  it("adds the engine's last archive call to the message when it pushed one, but needs none", () => {
    const violation = expectViolated(archiveStory({ healAtMs: 1700, archivedAtMs: null, endAtMs: 1700 + bound + 100, pushedCalls: true }), 'WF-ARCHIVE-01', { entity: workflow });
    expect(violation.message).toContain('attempt 1, error (archive store unavailable)');
  });
});
