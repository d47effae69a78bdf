/**
 * A trace builder for the checker tests: hand-made histories, written the way an engine
 * and its harness would write them (docs/trace.md), one event per call.
 *
 * - It stamps `seq` in order (0, 1, 2, … with no gaps) and the current logical time
 *   (`timeMs`) and wall time (`wallMs`), which the test moves forward with `atWall`,
 *   `afterWall` and `atTime`. Clocks never go backwards: that is a mistake in the test,
 *   so it throws.
 * - Every event goes through `TraceEvent.parse` from trace/events.ts before it is kept,
 *   so a fixture cannot drift from the contract: a field the schema lacks, or a missing
 *   one, fails the test that builds it.
 * - `move` fills `from` (and the run attributes, parent id) from the entity's last
 *   recorded transition, so a fixture tells one consistent story; `transition` writes
 *   exactly what it is given, for the tests about broken chains.
 */
import {
  defaultBounds,
  TraceEvent,
  type Bounds,
  type DeleteEvent,
  type EndEvent,
  type EntityKind,
  type FaultEvent,
  type LogEvent,
  type MetaEvent,
  type ObserveEvent,
  type ObserveProcessEvent,
  type ProcessEvent,
  type RequestEvent,
  type SideEffectEvent,
  type StepEvent,
  type TransitionEvent,
  type RunAttributes,
  type TransitionAttributes,
  type TransitionCause,
  type DeleteCause,
} from '../../trace/events.ts';

export type { RunAttributes };

/** A manual run of no deployment, never attempted, no retries; override what matters. */
export function runAttributes(overrides: Partial<RunAttributes> = {}): RunAttributes {
  return { deploymentId: null, runCount: 0, autoScheduled: false, scheduledStartMs: 0, slotMs: null, retries: 0, ...overrides };
}

type Kind = TraceEvent['kind'];
type EventOf<K extends Kind> = Extract<TraceEvent, { kind: K }>;
type InputOf<K extends Kind> = Omit<EventOf<K>, 'seq' | 'timeMs' | 'wallMs'>;

export interface TransitionOptions {
  parentId?: string | null;
  /** Defaults to `engine`, the cause for reasons no other fits. */
  cause?: TransitionCause;
  detail?: string;
  signal?: string;
  attributes?: TransitionAttributes;
}

export class TraceBuilder {
  private readonly trace: TraceEvent[] = [];
  private wallMs = 0;
  private timeMs = 0;
  private readonly lastTransition = new Map<string, TransitionEvent>();
  /** The bounds written by `meta` (the defaults until then). */
  bounds: Bounds = { ...defaultBounds };

  /** Wall time (ms since the trace began) stamped on the events that follow. */
  get nowWallMs(): number {
    return this.wallMs;
  }

  /** Logical time (ms) stamped on the events that follow. */
  get nowTimeMs(): number {
    return this.timeMs;
  }

  /** Set the wall clock. @throws Error when it would go backwards. */
  atWall(wallMs: number): this {
    if (wallMs < this.wallMs) throw new Error(`TraceBuilder.atWall: ${wallMs} ms is before the current ${this.wallMs} ms`);
    this.wallMs = wallMs;
    return this;
  }

  /** Move the wall clock forward by `deltaMs`. */
  afterWall(deltaMs: number): this {
    return this.atWall(this.wallMs + deltaMs);
  }

  /** Set the logical clock. @throws Error when it would go backwards. */
  atTime(timeMs: number): this {
    if (timeMs < this.timeMs) throw new Error(`TraceBuilder.atTime: ${timeMs} ms is before the current ${this.timeMs} ms`);
    this.timeMs = timeMs;
    return this;
  }

  /** First line: the scenario and the bounds the checkers judge against. */
  meta(bounds: Partial<Bounds> = {}, options: { platform?: 'posix' | 'win32'; bug?: string | null } = {}): MetaEvent {
    this.bounds = { ...defaultBounds, ...bounds };
    return this.push({
      kind: 'meta',
      scenario: 'checker-test',
      file: null,
      seed: 1,
      bug: options.bug ?? null,
      platform: options.platform ?? 'posix',
      bounds: this.bounds,
      engine: 'hand-made trace',
      environment: { node: process.version, os: 'test', commit: null },
    });
  }

  /**
   * First line as someone writing a trace by hand would: only `scenario` and `engine`;
   * parsing fills in the rest (default bounds, seed 1, posix, no file, no bug).
   */
  minimalMeta(): MetaEvent {
    this.bounds = { ...defaultBounds };
    // The schema's input form, which `push` (typed on the output form) would not take.
    const event = TraceEvent.parse({ seq: this.trace.length, timeMs: this.timeMs, wallMs: this.wallMs, kind: 'meta', scenario: 'hand-written', engine: 'my-engine 0.1' }) as MetaEvent;
    this.trace.push(event);
    return event;
  }

  /** A transition written exactly as given (`from` may disagree with the last `to`). */
  transition(entity: EntityKind, id: string, from: string | null, to: string, options: TransitionOptions = {}): TransitionEvent {
    const event = this.push<'transition'>({
      kind: 'transition',
      entity,
      id,
      parentId: options.parentId ?? null,
      from,
      to,
      cause: options.cause ?? 'engine',
      ...(options.detail === undefined ? {} : { detail: options.detail }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
    });
    this.lastTransition.set(`${entity}:${id}`, event);
    return event;
  }

  /**
   * A transition from the entity's last recorded state (null: created). Parent id and
   * attributes carry over from the last transition, `attributes` overriding single keys,
   * because runs carry all their attributes on every transition.
   */
  move(entity: EntityKind, id: string, to: string, options: TransitionOptions = {}): TransitionEvent {
    const last = this.lastTransition.get(`${entity}:${id}`);
    const attributes = last?.attributes || options.attributes ? { ...last?.attributes, ...options.attributes } : undefined;
    return this.transition(entity, id, last?.to ?? null, to, {
      ...options,
      parentId: options.parentId === undefined ? (last?.parentId ?? null) : options.parentId,
      ...(attributes === undefined ? {} : { attributes }),
    });
  }

  /** The last transition recorded for an entity, if any. */
  lastOf(entity: EntityKind, id: string): TransitionEvent | undefined {
    return this.lastTransition.get(`${entity}:${id}`);
  }

  /** A state read back through the query API; `state: null` is "not found". */
  observe(
    entity: EntityKind,
    id: string,
    state: string | null,
    options: { parentId?: string | null } & Partial<Pick<ObserveEvent, 'requestId' | 'archived' | 'attempts' | 'attributes' | 'look'>> = {},
  ): ObserveEvent {
    const { parentId, ...shown } = options;
    return this.push({ kind: 'observe', entity, id, parentId: parentId ?? null, state, ...shown });
  }

  /** A process's liveness read from /proc; `stat` defaults to S (alive) or null (gone). */
  observeProcess(pid: number, owner: string, alive: boolean, options: { reason?: string; stat?: string | null; groupId?: number; seenAliveWallMs?: number } = {}): ObserveProcessEvent {
    return this.push({
      kind: 'observe-process',
      pid,
      owner,
      alive,
      stat: options.stat === undefined ? (alive ? 'S' : null) : options.stat,
      ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
      ...(options.seenAliveWallMs === undefined ? {} : { seenAliveWallMs: options.seenAliveWallMs }),
      reason: options.reason ?? 'poll',
    });
  }

  /** A process event of the engine: spawn, signal, exit or kill-failed. */
  processEvent(
    action: ProcessEvent['action'],
    owner: string,
    options: { pid?: number | null; parentPid?: number | null; signal?: string; code?: number | null; error?: string } = {},
  ): ProcessEvent {
    return this.push({
      kind: 'process',
      action,
      pid: options.pid ?? null,
      parentPid: options.parentPid ?? null,
      owner,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.code === undefined ? {} : { code: options.code }),
      ...(options.error === undefined ? {} : { error: options.error }),
    });
  }

  /** A client request and its answer (written when answered). */
  request(
    op: RequestEvent['op'],
    requestId: string,
    options: { args?: Record<string, unknown>; outcome?: RequestEvent['outcome']; answer?: Record<string, unknown> } = {},
  ): RequestEvent {
    return this.push({ kind: 'request', op, requestId, args: options.args ?? {}, outcome: options.outcome ?? 'ok', answer: options.answer ?? {} });
  }

  /** A scenario step began or ended. */
  step(index: number, phase: StepEvent['phase'], step: Record<string, unknown> = {}, options: { outcome?: StepEvent['outcome']; detail?: string } = {}): StepEvent {
    return this.push({
      kind: 'step',
      index,
      phase,
      step,
      ...(options.outcome === undefined ? {} : { outcome: options.outcome }),
      ...(options.detail === undefined ? {} : { detail: options.detail }),
    });
  }

  /** A side effect (listener, archive, notification) and its outcome. */
  sideEffect(name: string, target: string, attempt: number, outcome: SideEffectEvent['outcome'], error?: string): SideEffectEvent {
    return this.push({ kind: 'side-effect', name, target, attempt, outcome, ...(error === undefined ? {} : { error }) });
  }

  /** An entity deleted; a deployment update names its deployment in `deploymentId`. */
  del(entity: EntityKind, id: string, cause: DeleteCause, options: { deploymentId?: string; detail?: string } = {}): DeleteEvent {
    return this.push({
      kind: 'delete',
      entity,
      id,
      cause,
      ...(options.deploymentId === undefined ? {} : { deploymentId: options.deploymentId }),
      ...(options.detail === undefined ? {} : { detail: options.detail }),
    });
  }

  /**
   * A fault the nemesis injected or cleared. The OS-level ones carry `pid` (the engine
   * process for `engine-crash` and `engine-pause`, the worker for `worker-kill`) and, for
   * `worker-kill`, the `target` entity.
   */
  fault(action: FaultEvent['action'], fault: string, options: { target?: string; pid?: number } = {}): FaultEvent {
    return this.push({
      kind: 'fault',
      action,
      fault,
      ...(options.target === undefined ? {} : { target: options.target }),
      ...(options.pid === undefined ? {} : { pid: options.pid }),
    });
  }

  log(level: LogEvent['level'], message: string, entity?: string): LogEvent {
    return this.push({ kind: 'log', level, message, ...(entity === undefined ? {} : { entity }) });
  }

  /**
   * The harness is about to tear the engine down: liveness clauses read the history only
   * up to here; the `scenario-end` sweep comes after it.
   */
  teardown(): TraceEvent {
    return this.push({ kind: 'teardown' });
  }

  /** Last line: how the run ended. */
  end(outcome: EndEvent['outcome'] = 'completed', error?: string): EndEvent {
    return this.push({ kind: 'end', outcome, ...(error === undefined ? {} : { error }) });
  }

  /** The events so far (a copy: later calls do not change it). */
  build(): TraceEvent[] {
    return [...this.trace];
  }

  /** The file format of the contract: one JSON object per line. */
  toJsonLines(): string {
    return this.trace.map((event) => JSON.stringify(event)).join('\n') + '\n';
  }

  private push<K extends Kind>(input: InputOf<K>): EventOf<K> {
    const event = TraceEvent.parse({ ...input, seq: this.trace.length, timeMs: this.timeMs, wallMs: this.wallMs }) as EventOf<K>;
    this.trace.push(event);
    return event;
  }
}
