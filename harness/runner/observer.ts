/**
 * The observer does not take the engine's word for what matters: it reads entity states
 * back through the engine's query API (as a UI would) and process liveness from the
 * operating system (/proc, where a zombie counts as dead) for every process of the
 * engine's session (its descendants and every process carrying its session marker), not
 * only those the engine reports. It writes an event only when what it sees changes, so a
 * trace stays small while polls are frequent.
 *
 * Which entity owns a process is the one thing taken from the engine (the `processes`
 * operation); a process it has not reported yet is attributed to its nearest ancestor
 * with a known owner, else `unknown`.
 */
import type { EntityView, ProcessView } from '../../protocol/operations.ts';
import { isAliveInProc, readProcessStat, type ProcessStat } from '../../os/proc.ts';
import type { TraceEvent, TransitionEvent } from '../../trace/events.ts';
import type { TraceRecorder } from './trace-recorder.ts';

/** The owner of a process nobody claimed. */
export const unknownOwner = 'unknown';

export class Observer {
  /** `kind:id` → last state read (null: read as gone). */
  private readonly states = new Map<string, EntityView | null>();
  /** pid → owner, last liveness seen, and when /proc last showed it alive (wall ms). */
  private readonly processes = new Map<number, { owner: string; alive: boolean; seenAliveWallMs: number | undefined }>();
  /** pid → owner, as the engine reported. */
  private readonly owners = new Map<number, string>();
  /** The next read records every entity, changed or not (the first read of a restarted engine). */
  private recordAll = false;
  /** Reads of the query API so far (count); the number of the last one is its lines' `look`. */
  private looks = 0;

  constructor(private readonly trace: TraceRecorder) {}

  /** Record what the engine says it started (the answer of `processes`). */
  learnOwners(processes: readonly ProcessView[]): void {
    for (const process of processes) this.owners.set(process.pid, process.owner);
  }

  /** Does this snapshot hold a process whose owner the engine has not told yet? */
  hasUnownedProcess(live: readonly ProcessStat[]): boolean {
    return live.some((stat) => !this.owners.has(stat.pid));
  }

  /**
   * Make the next read record every entity, as if first seen: after a restart, a line per
   * entity is the evidence that the new engine still shows it (RESTART-01), so nothing
   * waits for a bound to conclude that an unchanged entity was not lost.
   */
  recordEverythingNext(): void {
    this.recordAll = true;
  }

  /**
   * Record the entities read through `query` where they changed: in state, or in what the
   * query API shows beside it (a workflow archived, a run's attempts or attributes). Every
   * line of one read carries its number (`look`), so a checker can judge the read as the
   * snapshot it is.
   */
  observeEntities(entities: readonly EntityView[]): void {
    const seen = new Set<string>();
    const recordAll = this.recordAll;
    this.recordAll = false;
    this.looks += 1;
    const look = this.looks;
    for (const view of entities) {
      const key = `${view.entity}:${view.id}`;
      seen.add(key);
      const before = this.states.get(key);
      if (before && sameView(before, view) && !recordAll) continue;
      this.states.set(key, view);
      this.trace.emit({
        kind: 'observe',
        entity: view.entity,
        id: view.id,
        parentId: view.parentId,
        state: view.state,
        ...(view.requestId === undefined ? {} : { requestId: view.requestId }),
        ...(view.archived === undefined ? {} : { archived: view.archived }),
        ...(view.attempts === undefined ? {} : { attempts: view.attempts }),
        ...(view.attributes === undefined ? {} : { attributes: view.attributes }),
        look,
      });
    }
    for (const [key, before] of this.states) {
      if (before === null || seen.has(key)) continue;
      this.states.set(key, null);
      this.trace.emit({ kind: 'observe', entity: before.entity, id: before.id, parentId: before.parentId, state: null, look });
    }
  }

  /**
   * The last read at the end of a scenario: besides what changed, every entity the
   * trace says exists (it has transitions) but the query API no longer shows is
   * recorded as gone, even if no poll ever caught it alive; and every entity the engine
   * announced deleted (a `delete` line) that the query API still shows is recorded,
   * changed or not, as the evidence OBSERVE-01 judges.
   */
  observeFinal(entities: readonly EntityView[], events: readonly TraceEvent[]): void {
    const present = new Set(entities.map((view) => `${view.entity}:${view.id}`));
    for (const event of events) if (event.kind === 'delete' && present.has(`${event.entity}:${event.id}`)) this.states.delete(`${event.entity}:${event.id}`);
    this.observeEntities(entities);
    const reported = new Map<string, TransitionEvent>();
    for (const event of events) if (event.kind === 'transition') reported.set(`${event.entity}:${event.id}`, event);
    for (const [key, last] of reported) {
      if (present.has(key) || this.states.get(key) === null) continue;
      this.states.set(key, null);
      this.trace.emit({ kind: 'observe', entity: last.entity, id: last.id, parentId: last.parentId, state: null, look: this.looks });
    }
  }

  /**
   * Record births and deaths among the session's processes (`live`, one /proc snapshot
   * read at `readWallMs`), or, with `everyProcess`, the liveness of every process ever
   * seen. Every read that finds a known process alive is remembered, though it writes
   * nothing: a line carries the last such read (`seenAliveWallMs`), so a death line says
   * until when the process was seen alive, and a line of the last sweep until when a
   * process that never changed was.
   */
  observeProcesses(live: readonly ProcessStat[], reason: string, everyProcess = false, readWallMs = this.trace.wallNowMs()): void {
    const byPid = new Map(live.map((stat) => [stat.pid, stat]));
    for (const stat of live) {
      const known = this.processes.get(stat.pid);
      const owner = this.ownerOf(stat, byPid);
      this.processes.set(stat.pid, { owner, alive: true, seenAliveWallMs: readWallMs });
      if (known?.alive && known.owner === owner && !everyProcess) continue;
      this.trace.emit({ kind: 'observe-process', pid: stat.pid, owner, alive: true, stat: stat.state, groupId: stat.processGroupId, seenAliveWallMs: readWallMs, reason });
    }
    for (const [pid, known] of this.processes) {
      if (byPid.has(pid)) continue;
      // Not in this snapshot of the session: gone, or a zombie; read it again to be sure.
      // Alive now, it was alive at the snapshot too (it was seen before).
      const alive = isAliveInProc(pid);
      const seenAliveWallMs = alive ? readWallMs : known.seenAliveWallMs;
      this.processes.set(pid, { owner: known.owner, alive, seenAliveWallMs });
      if (known.alive === alive && !everyProcess) continue;
      this.trace.emit({
        kind: 'observe-process',
        pid,
        owner: known.owner,
        alive,
        stat: readProcessStat(pid)?.state ?? null,
        ...(seenAliveWallMs === undefined ? {} : { seenAliveWallMs }),
        reason,
      });
    }
  }

  /**
   * A live process of `owner` as of the last look: the one seen first (its root, for a
   * run whose subflows have processes of their own), or null when none is alive.
   */
  livePidOwnedBy(owner: string): number | null {
    for (const [pid, known] of this.processes) if (known.alive && known.owner === owner) return pid;
    return null;
  }

  /** Pids seen alive at the last look. */
  livePids(): number[] {
    return [...this.processes].filter(([, known]) => known.alive).map(([pid]) => pid);
  }

  private ownerOf(stat: ProcessStat, byPid: Map<number, ProcessStat>): string {
    let current: ProcessStat | undefined = stat;
    for (let depth = 0; current !== undefined && depth < 64; depth += 1) {
      const owner = this.owners.get(current.pid);
      if (owner !== undefined) return owner;
      current = byPid.get(current.parentPid);
    }
    return this.processes.get(stat.pid)?.owner ?? unknownOwner;
  }
}

/** Does a read show the same as the one before: state, and what the query API shows beside it? */
function sameView(before: EntityView, after: EntityView): boolean {
  return (
    before.state === after.state &&
    before.archived === after.archived &&
    before.attempts === after.attempts &&
    JSON.stringify(before.attributes) === JSON.stringify(after.attributes)
  );
}
