/**
 * The observer does not take the engine's word for what matters: it reads entity states
 * back through the engine's query API (as a UI would) and process liveness from the
 * operating system (/proc, where a zombie counts as dead). It writes an event only when
 * what it sees changes, so a trace stays small while polls are frequent.
 */
import { isAliveInProc, processesWithArgument, readProcessStat } from '../../engine/adapters/proc.ts';
import type { EntityView } from '../../engine/reference-engine.ts';
import type { TraceSink } from '../../engine/ports/trace-sink.ts';
import type { TraceEvent, TransitionEvent } from '../../trace/events.ts';

export interface QueryApi {
  entities(): EntityView[];
}

export class Observer {
  /** `kind:id` → last state read (null: read as gone). */
  private readonly states = new Map<string, EntityView | null>();
  /** pid → owner and last liveness seen. */
  private readonly processes = new Map<number, { owner: string; alive: boolean }>();

  constructor(
    private readonly trace: TraceSink,
    private readonly query: QueryApi,
    /** The `--session` marker of the engine's workers. */
    private readonly session: string,
  ) {}

  /** Read every entity, then every process of the session; record what changed. */
  observe(): void {
    this.observeEntities();
    this.observeProcesses('poll');
  }

  observeEntities(): void {
    const seen = new Set<string>();
    for (const view of this.query.entities()) {
      const key = `${view.entity}:${view.id}`;
      seen.add(key);
      const before = this.states.get(key);
      if (before?.state === view.state) continue;
      this.states.set(key, view);
      this.trace.emit({ kind: 'observe', entity: view.entity, id: view.id, parentId: view.parentId, state: view.state });
    }
    for (const [key, before] of this.states) {
      if (before === null || seen.has(key)) continue;
      this.states.set(key, null);
      this.trace.emit({ kind: 'observe', entity: before.entity, id: before.id, parentId: before.parentId, state: null });
    }
  }

  /**
   * The last read at the end of a scenario: besides what changed, every entity the
   * trace says exists (it has transitions) but the query API no longer shows is
   * recorded as gone, even if no poll ever caught it alive.
   */
  observeFinal(events: readonly TraceEvent[]): void {
    this.observeEntities();
    const present = new Set(this.query.entities().map((view) => `${view.entity}:${view.id}`));
    const reported = new Map<string, TransitionEvent>();
    for (const event of events) if (event.kind === 'transition') reported.set(`${event.entity}:${event.id}`, event);
    for (const [key, last] of reported) {
      if (present.has(key) || this.states.get(key) === null) continue;
      this.states.set(key, null);
      this.trace.emit({ kind: 'observe', entity: last.entity, id: last.id, parentId: last.parentId, state: null });
    }
  }

  /** Scan /proc for the session's processes; record births and deaths (or, with `everyProcess`, all). */
  observeProcesses(reason: string, everyProcess = false): void {
    const live = new Map(processesWithArgument('--session', this.session).map((found) => [found.pid, found]));
    for (const [pid, found] of live) {
      const known = this.processes.get(pid);
      // Between fork and exec a child still shows its parent's command line, so its owner
      // can change once; a later look corrects it.
      const owner = found.owner ?? known?.owner ?? 'unknown';
      if (known?.alive && known.owner === owner && !everyProcess) continue;
      this.processes.set(pid, { owner, alive: true });
      this.trace.emit({ kind: 'observe-process', pid, owner, alive: true, stat: found.state, groupId: found.processGroupId, reason });
    }
    for (const [pid, known] of this.processes) {
      if (live.has(pid)) continue;
      // Not found by its marker: gone, a zombie (its cmdline is empty), or marker unreadable.
      const alive = isAliveInProc(pid);
      if (known.alive === alive && !everyProcess) continue;
      this.processes.set(pid, { owner: known.owner, alive });
      this.trace.emit({ kind: 'observe-process', pid, owner: known.owner, alive, stat: readProcessStat(pid)?.state ?? null, reason });
    }
  }

  /** Pids seen alive at the last look. */
  livePids(): number[] {
    return [...this.processes].filter(([, known]) => known.alive).map(([pid]) => pid);
  }
}
