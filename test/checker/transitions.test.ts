/**
 * Goal: the transition-family checkers (TRANSITION-01, TRANSITION-02, OBSERVE-01) accept
 * every history that follows the machines of spec/machines and reject each way a history
 * can leave them: an illegal move, a broken chain (`from` ≠ the previous `to`), a move out
 * of a terminal state, a read-back that goes backwards, an entity read as gone coming back.
 * Method: hand-made traces from test/checker/trace-builder.ts. Each failing trace is a
 * passing prefix plus one defect, and the test checks both halves, so the violation can
 * only come from the defect; the violation must name the entity and point at the event of
 * the defect. A property test adds random legal walks over the machines' own tables (which
 * must all hold) and the same walks with one chain broken (which must not). These clauses
 * are safety clauses: they never answer 'unknown', and a trace cut before its end line is
 * judged on what it holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transitionTable } from '../../spec/transitions.ts';
import type { EntityKind } from '../../trace/events.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectViolated, judge } from './verdicts.ts';

/** Legal life stories per entity kind, from creation (each pair is one move of the machine). */
const legalPaths: Record<EntityKind, string[]> = {
  run: ['SCHEDULED', 'SCHEDULED/Late', 'PENDING', 'RUNNING', 'COMPLETED'],
  workflow: ['RUNNING', 'PAUSED', 'RUNNING', 'COMPLETED'],
  task: ['SCHEDULED', 'IN_PROGRESS', 'COMPLETED_WITH_ERRORS'],
  command: ['CREATED', 'CLAIMED', 'CREATED', 'CLAIMED', 'CONSUMED'],
  instance: ['SUBMITTED_SUCCESS', 'RUNNING_EXECUTION', 'READY_PAUSE', 'PAUSE', 'RUNNING_EXECUTION', 'SUCCESS'],
};

/** A legal path to a state, and a move from it that its machine refuses. */
const illegalMoves: Array<{ entity: EntityKind; path: string[]; to: string; why: string }> = [
  { entity: 'run', path: ['SCHEDULED', 'PENDING', 'RUNNING', 'CANCELLING'], to: 'COMPLETED', why: 'CANCELLING goes only to CANCELLED' },
  { entity: 'run', path: ['SCHEDULED', 'PENDING', 'RUNNING'], to: 'PENDING', why: 'nothing goes back to PENDING from RUNNING' },
  { entity: 'run', path: ['SCHEDULED', 'PENDING'], to: 'SCHEDULED/Late', why: 'only a SCHEDULED run is marked Late' },
  { entity: 'workflow', path: ['RUNNING', 'PAUSED'], to: 'COMPLETED', why: 'a PAUSED workflow resumes, times out or is terminated' },
  { entity: 'task', path: ['SCHEDULED', 'IN_PROGRESS'], to: 'SKIPPED', why: 'a task that exists is never skipped' },
  { entity: 'command', path: ['CREATED'], to: 'CONSUMED', why: 'a command is claimed before it is consumed' },
  { entity: 'instance', path: ['SUBMITTED_SUCCESS'], to: 'SUCCESS', why: 'an instance runs before it succeeds' },
];

/** A legal path that ends in a terminal state, and a state to leave it for. */
const terminalExits: Array<{ entity: EntityKind; path: string[]; to: string }> = [
  { entity: 'run', path: ['SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED'], to: 'RUNNING' },
  { entity: 'run', path: ['SCHEDULED', 'PENDING', 'RUNNING', 'CANCELLING', 'CANCELLED'], to: 'CANCELLING' },
  { entity: 'workflow', path: ['RUNNING', 'TERMINATED'], to: 'RUNNING' },
  { entity: 'task', path: ['SCHEDULED', 'IN_PROGRESS', 'CANCELED'], to: 'IN_PROGRESS' },
  { entity: 'command', path: ['CREATED', 'CLAIMED', 'CONSUMED'], to: 'CLAIMED' },
  { entity: 'instance', path: ['SUBMITTED_SUCCESS', 'RUNNING_EXECUTION', 'STOP'], to: 'RUNNING_EXECUTION' },
];

/**
 * Write `path` for one entity with `move` (each `from` is the previous `to`). A run is
 * made due at logical time 0 and marked Late only once lateAfterMs has passed (RUN-LATE-01).
 */
function walk(trace: TraceBuilder, entity: EntityKind, id: string, path: readonly string[]): void {
  for (const state of path) {
    if (entity === 'run' && state === 'SCHEDULED/Late') trace.atTime(Math.max(trace.nowTimeMs, trace.bounds.lateAfterMs + 1));
    const created = trace.lastOf(entity, id) === undefined;
    trace.move(entity, id, state, { cause: 'engine', ...(entity === 'run' && created ? { attributes: { scheduledStartMs: 0 } } : {}) });
  }
}

describe('TRANSITION-01: every transition is a move of its machine from the last recorded state', () => {
  it.each(Object.entries(legalPaths))('holds for the legal %s life', (entity, path) => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, entity as EntityKind, `${entity}-1`, path);
    trace.end();
    expectHolds(trace.build(), 'TRANSITION-01');
  });

  it.each(illegalMoves.map((move) => [move.entity, move.path.at(-1)!, move.to, move.why, move] as const))('is violated by %s %s → %s (%s)', (_entity, _from, _to, _why, { entity, path, to }) => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, entity, 'entity-1', path);
    expectHolds(trace.build(), 'TRANSITION-01', { alone: true });
    const illegal = trace.transition(entity, 'entity-1', path.at(-1)!, to, { cause: 'engine' });
    trace.end();
    const violation = expectViolated(trace.build(), 'TRANSITION-01', { entity: 'entity-1', seq: illegal.seq });
    expect(violation.message).toContain(`${path.at(-1)} → ${to}`);
  });

  it('is violated by a broken chain: `from` is not the state last recorded', () => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'run', 'run-1', ['SCHEDULED', 'PENDING', 'RUNNING']);
    // PENDING → RUNNING is a move of the machine, but the run was last recorded RUNNING, not PENDING.
    const broken = trace.transition('run', 'run-1', 'PENDING', 'RUNNING', { cause: 'process-started' });
    trace.end();
    const violation = expectViolated(trace.build(), 'TRANSITION-01', { entity: 'run-1', seq: broken.seq });
    expect(violation.message).toContain('PENDING');
    expect(violation.message).toContain('RUNNING');
  });

  it('is violated by a second creation (`from: null`) of an entity that exists', () => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'command', 'cmd-1', ['CREATED', 'CLAIMED']);
    const again = trace.transition('command', 'cmd-1', null, 'CREATED', { cause: 'start-process-instance' });
    trace.end();
    expectViolated(trace.build(), 'TRANSITION-01', { entity: 'cmd-1', seq: again.seq });
  });

  it('is violated by a creation into a state no entity starts in, and by a state the machine lacks', () => {
    const trace = new TraceBuilder();
    trace.meta();
    const bornCompleted = trace.transition('workflow', 'wf-1', null, 'COMPLETED', { cause: 'start-workflow' });
    const unknownState = trace.transition('task', 'task-1', null, 'QUEUED', { cause: 'decide' });
    trace.end();
    expectViolated(trace.build(), 'TRANSITION-01', { entity: 'wf-1', seq: bornCompleted.seq });
    expectViolated(trace.build(), 'TRANSITION-01', { entity: 'task-1', seq: unknownState.seq });
  });

  it('after a crash, takes the restarted engine\'s first line from a state reachable from the last told (a line lost with the engine), and no other', () => {
    const lostLine = (told: string[], recoveredFrom: string, crash: boolean) => {
      const trace = new TraceBuilder();
      trace.meta();
      walk(trace, 'run', 'run-1', told);
      // The engine made a move, committed it, and died before its line went out.
      if (crash) trace.afterWall(100).fault('inject', 'engine-crash');
      const recovered = trace.afterWall(100).transition('run', 'run-1', recoveredFrom, 'CRASHED', { cause: 'recovery' });
      if (crash) trace.fault('clear', 'engine-crash');
      trace.end();
      return { events: trace.build(), recovered };
    };
    expectHolds(lostLine(['SCHEDULED', 'PENDING'], 'RUNNING', true).events, 'TRANSITION-01', { alone: true });
    // A COMPLETED run reaches nothing: a line from RUNNING after it is no lost move.
    const unreachable = lostLine(['SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED'], 'RUNNING', true);
    expectViolated(unreachable.events, 'TRANSITION-01', { entity: 'run-1', seq: unreachable.recovered.seq });
    const noCrash = lostLine(['SCHEDULED', 'PENDING'], 'RUNNING', false);
    expectViolated(noCrash.events, 'TRANSITION-01', { entity: 'run-1', seq: noCrash.recovered.seq });
  });

  it('judges a trace cut before its end line on what it holds: never unknown', () => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'run', 'run-1', ['SCHEDULED', 'PENDING']);
    expect(judge(trace.build(), 'TRANSITION-01').valid).toBe(true);
    trace.transition('run', 'run-1', 'PENDING', 'COMPLETED', { cause: 'engine' });
    expect(judge(trace.build(), 'TRANSITION-01').valid).toBe(false);
  });

  it('holds for random legal walks over the machine tables, and not once one chain is broken', () => {
    const kinds = Object.keys(legalPaths) as EntityKind[];
    const walkArbitrary = fc.record({
      entity: fc.constantFrom(...kinds),
      choices: fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
      breakAt: fc.nat(),
    });
    fc.assert(
      fc.property(walkArbitrary, ({ entity, choices, breakAt }) => {
        // The walk: from the machine's initial state, each choice picks one legal next state.
        const table = transitionTable(entity);
        const path = [table.initial];
        for (const choice of choices) {
          const next = [...(table.edges.get(path.at(-1)!)?.keys() ?? [])];
          if (next.length === 0) break;
          path.push(next[choice % next.length]!);
        }
        const legal = new TraceBuilder();
        legal.meta();
        walk(legal, entity, 'walker', path);
        legal.end();
        expect(judge(legal.build(), 'TRANSITION-01').valid).toBe(true);
        if (path.length < 2) return;
        // The same walk with one `from` replaced by a state other than the last recorded one.
        const index = 1 + (breakAt % (path.length - 1));
        const wrongFrom = table.states.find((state) => state !== path[index - 1])!;
        const broken = new TraceBuilder();
        broken.meta();
        walk(broken, entity, 'walker', path.slice(0, index));
        const defect = broken.transition(entity, 'walker', wrongFrom, path[index]!, { cause: 'engine' });
        broken.end();
        const verdict = judge(broken.build(), 'TRANSITION-01');
        expect(verdict.valid).toBe(false);
        expect(verdict.violations[0]!.seq).toBe(defect.seq);
      }),
      { numRuns: 200 },
    );
  });
});

describe('TRANSITION-02: a terminal state is absorbing', () => {
  it.each(Object.entries(legalPaths))('holds for the %s life that ends in a terminal state', (entity, path) => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, entity as EntityKind, `${entity}-1`, path);
    trace.end();
    expectHolds(trace.build(), 'TRANSITION-02');
  });

  it.each(terminalExits.map((exit) => [exit.entity, exit.path.at(-1)!, exit.to, exit] as const))('is violated when the %s leaves %s for %s', (_entity, _from, _to, { entity, path, to }) => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, entity, 'entity-1', path);
    expectHolds(trace.build(), 'TRANSITION-02', { alone: true });
    const exit = trace.move(entity, 'entity-1', to, { cause: 'engine' });
    trace.end();
    const violation = expectViolated(trace.build(), 'TRANSITION-02', { entity: 'entity-1', seq: exit.seq });
    expect(violation.message).toContain(path.at(-1)!);
  });

  it('judges a non-terminal state left for anything as not its business (that is TRANSITION-01)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'run', 'run-1', ['SCHEDULED', 'PENDING', 'RUNNING', 'CANCELLING']);
    trace.move('run', 'run-1', 'COMPLETED', { cause: 'engine' });
    trace.end();
    expect(judge(trace.build(), 'TRANSITION-02').valid).toBe(true);
    expect(judge(trace.build(), 'TRANSITION-01').valid).toBe(false);
  });
});

describe('OBSERVE-01: reads move forward on the machine and the deleted stay deleted', () => {
  it('holds for reads that skip states the engine went through', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('run', 'run-1', 'SCHEDULED');
    trace.observe('run', 'run-1', 'SCHEDULED');
    walk(trace, 'run', 'run-1', ['PENDING', 'RUNNING', 'COMPLETED']);
    trace.afterWall(20);
    trace.observe('run', 'run-1', 'COMPLETED');
    trace.move('command', 'cmd-1', 'CREATED', { attributes: { requestId: 'req-1' } });
    trace.observe('command', 'cmd-1', 'CREATED');
    walk(trace, 'command', 'cmd-1', ['CLAIMED', 'CONSUMED']);
    trace.del('command', 'cmd-1', 'consumed');
    trace.observe('command', 'cmd-1', null);
    trace.end();
    expectHolds(trace.build(), 'OBSERVE-01');
  });

  it('is violated by a run read COMPLETED, then RUNNING', () => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'run', 'run-1', ['SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED']);
    trace.observe('run', 'run-1', 'COMPLETED');
    expectHolds(trace.build(), 'OBSERVE-01', { alone: true });
    const backwards = trace.afterWall(10).observe('run', 'run-1', 'RUNNING');
    trace.end();
    const violation = expectViolated(trace.build(), 'OBSERVE-01', { entity: 'run-1', seq: backwards.seq });
    expect(violation.message).toContain('COMPLETED');
  });

  it('is violated by a workflow read TERMINATED, then RUNNING', () => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'workflow', 'wf-1', ['RUNNING', 'TERMINATED']);
    trace.observe('workflow', 'wf-1', 'TERMINATED');
    const backwards = trace.afterWall(10).observe('workflow', 'wf-1', 'RUNNING');
    trace.end();
    expectViolated(trace.build(), 'OBSERVE-01', { entity: 'wf-1', seq: backwards.seq });
  });

  it('is violated by an entity read as gone, then back', () => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'run', 'run-1', ['SCHEDULED']);
    trace.observe('run', 'run-1', 'SCHEDULED');
    trace.del('run', 'run-1', 'deployment-update', { deploymentId: 'nightly' });
    trace.observe('run', 'run-1', null);
    expectHolds(trace.build(), 'OBSERVE-01', { alone: true });
    const back = trace.afterWall(10).observe('run', 'run-1', 'SCHEDULED');
    trace.end();
    const violation = expectViolated(trace.build(), 'OBSERVE-01', { entity: 'run-1', seq: back.seq });
    expect(violation.message).toContain('gone');
  });

  it('is violated by an entity the engine deleted and still shows (a consumed command kept in the store)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'command', 'cmd-1', ['CREATED', 'CLAIMED', 'CONSUMED']);
    trace.observe('command', 'cmd-1', 'CONSUMED');
    trace.del('command', 'cmd-1', 'consumed');
    expectHolds(trace.build(), 'OBSERVE-01', { alone: true });
    // The final read writes it again although unchanged (harness/runner/observer.ts observeFinal).
    const still = trace.afterWall(10).observe('command', 'cmd-1', 'CONSUMED');
    trace.end();
    const violation = expectViolated(trace.build(), 'OBSERVE-01', { entity: 'cmd-1', seq: still.seq });
    expect(violation.message).toContain('after the engine deleted it');
  });

  it('keeps entities apart: the same id in two kinds is two stories', () => {
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'workflow', 'x-1', ['RUNNING', 'COMPLETED']);
    walk(trace, 'task', 'x-1', ['SCHEDULED']);
    trace.observe('workflow', 'x-1', 'COMPLETED');
    trace.observe('task', 'x-1', 'SCHEDULED');
    trace.end();
    expectHolds(trace.build(), 'OBSERVE-01');
  });
});

/**
 * Regressions: checker defects found while writing these tests, each fixed; the test
 * states what the clause says so the defect cannot come back.
 */
describe('checker regressions', () => {
  it('OBSERVE-01 should accept one state read twice in a row (a harness that writes every poll, not only changes)', () => {
    // reachableFrom() is "one or more steps", so (before the fix) a terminal state (or any state the
    // machine cannot come back to) read twice counts as an unreachable read.
    const trace = new TraceBuilder();
    trace.meta();
    walk(trace, 'run', 'run-1', ['SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED']);
    trace.observe('run', 'run-1', 'COMPLETED');
    trace.afterWall(100).observe('run', 'run-1', 'COMPLETED');
    trace.end();
    expectHolds(trace.build(), 'OBSERVE-01');
  });
});
