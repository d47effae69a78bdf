/**
 * A trace indexed for the clause checkers: transitions per entity, process liveness per
 * pid, parents of runs, requests by op. Built once per check; pure reads after that.
 * Run states are read in canonical form (canonical-states.ts), so `SCHEDULED/Scheduled`
 * and `SCHEDULED` are one state to every checker.
 */
import { withCanonicalRunStates } from './canonical-states.ts';
import { withObservedTransitions } from './observed-transitions.ts';
import {
  defaultBounds,
  type Bounds,
  type EntityKind,
  type FaultEvent,
  type MetaEvent,
  type ObserveEvent,
  type ObserveProcessEvent,
  type RequestEvent,
  type TraceEvent,
  type TransitionEvent,
} from '../../trace/events.ts';

export function entityKey(entity: EntityKind, id: string): string {
  return `${entity}:${id}`;
}

/**
 * A stretch of wall time in which the engine could not act: SIGKILLed by the nemesis
 * (`engine-crash`, until a new engine process answered setup on its data) or stopped
 * (`engine-pause`, until SIGCONT). `toWallMs`/`toSeq` are Infinity when the trace ends
 * with the engine still down.
 */
export interface Downtime {
  fault: 'engine-crash' | 'engine-pause';
  fromWallMs: number;
  fromSeq: number;
  toWallMs: number;
  toSeq: number;
}

/** One crash of the engine and the restart that ended it (undefined: never restarted). */
export interface Crash {
  crash: FaultEvent;
  restart: FaultEvent | undefined;
}

export class History {
  readonly meta: MetaEvent | undefined;
  readonly bounds: Bounds;
  /**
   * How far the history of the engine reaches (wall ms): the teardown line when there is
   * one (what follows it is the harness killing leftovers), else the last event.
   */
  readonly endWallMs: number;
  /** Position of the teardown line, or Infinity. Liveness reads stop there. */
  readonly teardownSeq: number;
  readonly transitions: TransitionEvent[] = [];
  readonly observes: ObserveEvent[] = [];
  readonly requests: RequestEvent[] = [];
  private readonly transitionsByEntity = new Map<string, TransitionEvent[]>();
  private readonly processObservations = new Map<number, ObserveProcessEvent[]>();
  private readonly runParents = new Map<string, string | null>();
  /** When the engine was down (crashed or stopped), in order; see `deadlineAfter`. */
  readonly downtimes: Downtime[] = [];
  /** Every `engine-crash` inject, with the clear (restart) that followed it. */
  readonly crashes: Crash[] = [];
  /** Step-begin events in seq order. */
  private readonly stepBegins: TraceEvent[];
  /** observe seq → its look, built on first use (lookOf). */
  private looksBySeq: Map<number, number> | undefined;
  /** The latest deadline a checker found past the end of the history (wall ms); -Infinity when none. */
  private openUntil = -Infinity;

  /** The trace's events, in order, run states in canonical form. */
  readonly events: readonly TraceEvent[];

  constructor(trace: readonly TraceEvent[]) {
    const events = withObservedTransitions(withCanonicalRunStates(trace));
    this.events = events;
    this.meta = events.find((event): event is MetaEvent => event.kind === 'meta');
    this.bounds = { ...defaultBounds, ...this.meta?.bounds };
    const teardown = events.find((event) => event.kind === 'teardown');
    this.teardownSeq = teardown?.seq ?? Infinity;
    this.endWallMs = teardown?.wallMs ?? (events.length === 0 ? 0 : Math.max(...events.map((event) => event.wallMs)));
    for (const event of events) {
      switch (event.kind) {
        case 'transition': {
          this.transitions.push(event);
          const key = entityKey(event.entity, event.id);
          this.transitionsByEntity.set(key, [...(this.transitionsByEntity.get(key) ?? []), event]);
          if (event.entity === 'run' && !this.runParents.has(event.id)) this.runParents.set(event.id, event.parentId);
          break;
        }
        case 'observe':
          this.observes.push(event);
          break;
        case 'observe-process':
          this.processObservations.set(event.pid, [...(this.processObservations.get(event.pid) ?? []), event]);
          break;
        case 'request':
          this.requests.push(event);
          break;
        default:
          break;
      }
    }
    this.stepBegins = events.filter((event) => event.kind === 'step' && event.phase === 'begin');
    this.indexDowntimes();
  }

  /**
   * Crashes and pauses as stretches of downtime. A crash ends a pause (the stopped process
   * is gone; the harness records no `engine-pause` clear then), and the engine is up again
   * only when neither holds.
   */
  private indexDowntimes(): void {
    let crashed = false;
    let paused = false;
    let open: Downtime | undefined;
    for (const event of this.events) {
      if (event.kind !== 'fault' || (event.fault !== 'engine-crash' && event.fault !== 'engine-pause')) continue;
      const inject = event.action === 'inject';
      if (event.fault === 'engine-crash') {
        if (inject) {
          crashed = true;
          paused = false;
          this.crashes.push({ crash: event, restart: undefined });
        } else if (crashed) {
          crashed = false;
          const last = this.crashes.at(-1);
          if (last && last.restart === undefined) last.restart = event;
        }
      } else paused = inject;
      const down = crashed || paused;
      if (down && !open) {
        open = { fault: event.fault, fromWallMs: event.wallMs, fromSeq: event.seq, toWallMs: Infinity, toSeq: Infinity };
        this.downtimes.push(open);
      } else if (down && open && event.fault === 'engine-crash' && inject) {
        open.fault = 'engine-crash';
      } else if (!down && open) {
        open.toWallMs = event.wallMs;
        open.toSeq = event.seq;
        open = undefined;
      }
    }
  }

  /**
   * When a bound of `boundMs` that starts at `startWallMs` ends, given that the engine
   * cannot act while it is down: a bound that starts, or would still be running, while
   * the engine is crashed or stopped starts again, whole, when it is back up (a restarted
   * engine gets the full bound to recover). With no downtime this is `startWallMs +
   * boundMs`. Infinity when the engine is still down at the end of the trace: such a
   * bound cannot be judged.
   */
  deadlineAfter(startWallMs: number, boundMs: number): number {
    let from = startWallMs;
    for (;;) {
      const down =
        this.downtimes.find((downtime) => downtime.fromWallMs <= from && from < downtime.toWallMs) ??
        this.downtimes.find((downtime) => downtime.fromWallMs > from && downtime.fromWallMs < from + boundMs);
      if (!down) return from + boundMs;
      if (down.toWallMs === Infinity) return Infinity;
      from = down.toWallMs;
    }
  }

  /**
   * Words for a violation message when downtime moved a bound, to follow the bound in
   * `(bound 3000 ms…)`: `; counted from when the engine was restarted, at 5200 ms`; empty
   * when the bound ran from its start.
   */
  boundNote(startWallMs: number, boundMs: number): string {
    const deadline = this.deadlineAfter(startWallMs, boundMs);
    if (deadline === startWallMs + boundMs || deadline === Infinity) return '';
    const from = deadline - boundMs;
    const downtime = this.downtimes.find((candidate) => candidate.toWallMs === from);
    return `; counted from when the engine was ${downtime?.fault === 'engine-pause' ? 'continued' : 'restarted'}, at ${Math.round(from)} ms`;
  }

  /**
   * Why a bound ending at `deadline` cannot be judged yet: the engine is still down, or
   * the trace ends too soon. For unknown reasons: `… before <what>`.
   */
  notCovered(deadline: number, what: string): string {
    this.keepOpenUntil(deadline);
    if (deadline === Infinity) return `the engine was still down (crashed or stopped) when the trace ended, so ${what} cannot be judged`;
    return `the trace ends ${Math.round(deadline - this.endWallMs)} ms before ${what}`;
  }

  /** Counts a bound ending at `deadline` as open (`openBoundsEndWallMs`); one that ends only after the engine comes back up (Infinity) is not. */
  private keepOpenUntil(deadline: number): void {
    if (Number.isFinite(deadline)) this.openUntil = Math.max(this.openUntil, deadline);
  }

  /**
   * The wall time (ms) by which every bound a checker found still open will have passed,
   * or null when none is open (a bound that ends only after the engine comes back up is
   * not counted: waiting cannot close it). Read after the checkers ran.
   */
  get openBoundsEndWallMs(): number | null {
    return this.openUntil === -Infinity ? null : this.openUntil;
  }

  /** Does the history reach wall time `wallMs`? If not, a bound ending there cannot be judged. */
  covers(wallMs: number): boolean {
    return this.endWallMs >= wallMs;
  }

  transitionsOf(entity: EntityKind, id: string): TransitionEvent[] {
    return this.transitionsByEntity.get(entityKey(entity, id)) ?? [];
  }

  /** The state an entity had just before trace position `seq`, from its transitions (null: none yet). */
  stateBefore(entity: EntityKind, id: string, seq: number): TransitionEvent | undefined {
    return this.transitionsOf(entity, id)
      .filter((transition) => transition.seq < seq)
      .at(-1);
  }

  /** Runs below `runId` in the parent chain (subflows, theirs, …). */
  descendantRuns(runId: string): string[] {
    const result: string[] = [];
    const queue = [runId];
    while (queue.length > 0) {
      const parent = queue.shift()!;
      for (const [child, childParent] of this.runParents) {
        if (childParent === parent) {
          result.push(child);
          queue.push(child);
        }
      }
    }
    return result;
  }

  /** Entity ids whose parent is `parentId` (tasks of a workflow). */
  childrenOf(entity: EntityKind, parentId: string): string[] {
    const ids = new Set<string>();
    for (const transition of this.transitions) if (transition.entity === entity && transition.parentId === parentId) ids.add(transition.id);
    return [...ids];
  }

  /** Pids observed in /proc whose owner (as last read from their command line) is one of `owners`. */
  pidsOwnedBy(owners: Set<string>): Array<{ pid: number; owner: string }> {
    const result: Array<{ pid: number; owner: string }> = [];
    for (const [pid, observations] of this.processObservations) {
      const owner = observations.at(-1)!.owner;
      if (owners.has(owner)) result.push({ pid, owner });
    }
    return result;
  }

  /**
   * Pids of a run's process tree: those owned by the run or its descendant runs, and,
   * where the run's own process leads a process group, every process seen in that group
   * (children the engine never reported, orphans of a parent killed first).
   */
  treeOf(runId: string): Array<{ pid: number; owner: string }> {
    const owners = new Set([runId, ...this.descendantRuns(runId)]);
    const tree = new Map(this.pidsOwnedBy(owners).map((entry) => [entry.pid, entry]));
    const leaders = new Set(
      [...this.processObservations]
        .filter(([pid, observations]) => observations.at(-1)!.owner === runId && observations.some((observation) => observation.groupId === pid))
        .map(([pid]) => pid),
    );
    for (const [pid, observations] of this.processObservations) {
      if (!tree.has(pid) && observations.some((observation) => observation.groupId !== undefined && leaders.has(observation.groupId))) {
        tree.set(pid, { pid, owner: observations.at(-1)!.owner });
      }
    }
    return [...tree.values()];
  }

  /**
   * Why a bound ending at `deadline` cannot be judged though the history reaches it: no
   * look at or after it shows `what` (lines record changes only, so a process that lived
   * on unchanged leaves none until it dies or the last sweep). Counted as open like
   * `notCovered`, so the runner keeps looking while the bound has not passed.
   */
  notSeenAfter(deadline: number, what: string): string {
    this.keepOpenUntil(deadline);
    return `no read of /proc at or after ${Math.round(deadline)} ms shows ${what}`;
  }

  /**
   * The first sign that the process was alive at or after wall time `wallMs`, and when it
   * was seen so: a line that found it alive, or one that says when /proc last showed it
   * alive (`seenAliveWallMs`: a death line, a line of the last sweep), at or after
   * `wallMs` and before teardown. A line before `wallMs` proves nothing about `wallMs`: the
   * process may have died in between, and its death be read a poll later. A pid found
   * alive again after it was found dead is another process (the pid was reused), so the
   * search ends at the first death.
   */
  processSeenAliveFrom(pid: number, wallMs: number): { seenWallMs: number; observation: ObserveProcessEvent } | undefined {
    for (const observation of this.processObservations.get(pid) ?? []) {
      const seenWallMs = observation.seenAliveWallMs ?? (observation.alive ? observation.wallMs : undefined);
      // A read after the teardown line saw what teardown left, not what the engine did.
      const beforeTeardown = observation.seq < this.teardownSeq || (seenWallMs !== undefined && seenWallMs <= this.endWallMs);
      if (seenWallMs !== undefined && seenWallMs >= wallMs && beforeTeardown) return { seenWallMs, observation };
      if (!observation.alive) return undefined;
    }
    return undefined;
  }

  /**
   * Was the process seen dead before teardown: by a /proc read that found it gone or a
   * zombie, or by the engine's exit event for it?
   */
  processSeenDead(pid: number): boolean {
    return (
      (this.processObservations.get(pid) ?? []).some((observation) => !observation.alive && observation.seq < this.teardownSeq) ||
      this.events.some((event) => event.kind === 'process' && event.action === 'exit' && event.pid === pid && event.seq < this.teardownSeq)
    );
  }

  /** Was the process read in /proc before teardown (not only by the sweep after it)? */
  processReadBeforeTeardown(pid: number): boolean {
    return (this.processObservations.get(pid) ?? []).some((observation) => observation.seq < this.teardownSeq);
  }

  /**
   * Was the process alive at wall time `wallMs`, per the last /proc look at or before it
   * (and before teardown)? Past the end of the history this is the last look before teardown.
   * Lines record changes only, so a death read a poll after `wallMs` leaves the process
   * alive here: a clause whose bound is short judges with `processSeenAliveFrom` instead.
   */
  processAliveAt(pid: number, wallMs: number): ObserveProcessEvent | undefined {
    const last = (this.processObservations.get(pid) ?? [])
      .filter((observation) => observation.wallMs <= wallMs && observation.seq < this.teardownSeq)
      .at(-1);
    return last?.alive ? last : undefined;
  }

  allProcessObservations(): ObserveProcessEvent[] {
    return [...this.processObservations.values()].flat().sort((a, b) => a.seq - b.seq);
  }

  /** The state read back through the query API at or before wall time `wallMs` (and before teardown). */
  observedStateAt(entity: EntityKind, id: string, wallMs: number): ObserveEvent | undefined {
    return this.observes
      .filter((observe) => observe.entity === entity && observe.id === id && observe.wallMs <= wallMs && observe.seq < this.teardownSeq)
      .at(-1);
  }

  /** Read-backs of the engine before teardown (what the engine did, not what teardown did). */
  observesBeforeTeardown(): ObserveEvent[] {
    return this.observes.filter((observe) => observe.seq < this.teardownSeq);
  }

  /**
   * The look (one read of the query API, `observe.look`) an observe line belongs to, or a
   * transition derived from one (cause `observed`, which shares its line's seq); undefined
   * for any other line, or a trace that does not number its looks. The lines of one look
   * are one snapshot, so a clause that counts entities at once judges a look as a whole.
   */
  lookOf(event: TraceEvent): number | undefined {
    if (event.kind === 'observe') return event.look;
    if (event.kind !== 'transition' || event.cause !== 'observed') return undefined;
    this.looksBySeq ??= new Map(this.observes.filter((observe) => observe.look !== undefined).map((observe) => [observe.seq, observe.look!]));
    return this.looksBySeq.get(event.seq);
  }

  /** The step-begin event that the event at `seq` belongs to (requests are written when answered). */
  stepBeginBefore(seq: number): TraceEvent | undefined {
    // By seq, not by position: derived transitions (observed-transitions.ts) sit among the events.
    let found: TraceEvent | undefined;
    for (const begin of this.stepBegins) {
      if (begin.seq > seq) break;
      found = begin;
    }
    return found;
  }
}
