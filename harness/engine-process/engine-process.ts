/**
 * An engine under test, as the harness sees it: a child process speaking the engine
 * protocol (docs/engine-protocol.md) on its stdin and stdout. This class starts it
 * (argument array, no shell, a fresh session marker in its environment), makes the
 * handshake, sends requests with deadlines, matches replies by id, hands pushed events
 * on, and ends it. It trusts nothing the engine writes: a line that is not JSON, a reply
 * to an unknown id, a reply or event that breaks its schema, or an exit while the
 * harness still needs the engine is an EngineFaultError, and every request still waiting
 * fails with it.
 *
 * Hazard: a request that gets no reply within its deadline resolves as `info` (Jepsen: it
 * may have happened, or may still happen); the engine is not killed for it here, the
 * caller decides.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import spawn from 'cross-spawn';
import { z } from 'zod';
import { Capabilities } from '../../protocol/capabilities.ts';
import { EventLine, Reply, type PushedEvent } from '../../protocol/messages.ts';
import { HelloResult, operations, protocolVersion, type OperationArgs, type OperationName } from '../../protocol/operations.ts';
import { killPids } from '../../os/kill.ts';
import { isAliveInProc } from '../../os/proc.ts';
import { newSessionMarker, SessionScanner, sessionVariable } from '../../os/session-marker.ts';
import type { Outcome } from '../../protocol/outcome.ts';
import type { EngineCommand } from './engine-command.ts';
import { EngineFaultError, quote } from './engine-fault.ts';

/** How long the engine has to answer `hello` after it was started (ms). */
export const handshakeDeadlineMs = 5_000;
/** How long `shutdown` may take, reply and exit together, before the harness kills the engine (ms). */
export const shutdownDeadlineMs = 10_000;
/** How long the harness waits for processes it SIGKILLed to be gone (ms). */
export const killWaitMs = 2_000;
/** A bound that must not keep the harness alive once what it waits for is done. */
const unreferenced = { ref: false } as const;
/** How much of the engine's stderr is kept for messages (characters). */
const stderrTailLengthMax = 4_000;

export interface EngineProcessOptions {
  command: EngineCommand;
  /** Extra environment for the engine process. */
  env?: Record<string, string>;
  /** The session marker to give it: a restarted engine keeps its predecessor's, so the crash's orphans stay in the session. */
  marker?: string;
}

interface Pending {
  op: OperationName;
  resolve: (outcome: Outcome) => void;
  reject: (error: EngineFaultError) => void;
  timer: NodeJS.Timeout;
}

/** Every engine process started and not yet ended; an interrupt ends them all. */
const liveEngines = new Set<EngineProcess>();

export class EngineProcess {
  readonly marker: string;
  /** Name and version from the handshake; the command until then. */
  name: string;
  version = 'unknown';
  capabilities: Capabilities | null = null;
  /** Set once the engine broke the protocol or exited unexpectedly; later requests fail with it. */
  fault: EngineFaultError | null = null;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;

  private readonly child: ChildProcess;
  private readonly scanner: SessionScanner | null;
  private readonly pending = new Map<number, Pending>();
  /** Ids of requests whose deadline passed without a reply: their late reply is ignored, once. */
  private readonly expired = new Set<number>();
  /** Where the engine's stderr goes once a scenario takes the engine; kept in memory until then. */
  private log: WriteStream | null = null;
  private logBuffer: string[] = [];
  /** Receives pushed events once a scenario takes the engine; they wait here until then. */
  private eventHandler: ((event: PushedEvent, timeMs: number | undefined) => void) | null = null;
  private eventBuffer: Array<[PushedEvent, number | undefined]> = [];
  private nextId = 1;
  private stopping = false;
  private hasExited = false;
  private stderrTail = '';

  private constructor(options: EngineProcessOptions) {
    this.marker = options.marker ?? newSessionMarker();
    this.name = options.command.label;
    this.child = spawn(options.command.command, options.command.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env, [sessionVariable]: this.marker },
    });
    liveEngines.add(this);
    this.scanner = this.child.pid === undefined ? null : new SessionScanner(this.marker, this.child.pid);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.hasExited = true;
        liveEngines.delete(this);
        resolve({ code, signal });
        if (!this.stopping) this.failWith(new EngineFaultError('exited', this.name, `the engine exited (${signal ?? `code ${code}`}) while the harness still needed it${this.stderrSuffix()}`));
      });
    });
    this.child.once('error', (error) => {
      // Spawn failures (ENOENT) come here, and no 'exit' follows them.
      this.hasExited = true;
      liveEngines.delete(this);
      this.failWith(new EngineFaultError('exited', this.name, `could not start the engine: ${error.message}`));
    });
    // Writes to an engine that died fail with EPIPE; the exit handler reports that.
    this.child.stdin!.on('error', () => {});
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => {
      if (this.log) this.log.write(text);
      else this.logBuffer.push(text);
      this.stderrTail = (this.stderrTail + text).slice(-stderrTailLengthMax);
    });
    createInterface({ input: this.child.stdout!, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
  }

  /**
   * Start the engine and make the handshake.
   * @throws EngineFaultError when it cannot be started, does not answer `hello` within
   *   handshakeDeadlineMs, answers it badly, or speaks another protocol version; the
   *   process is ended first.
   */
  static async start(options: EngineProcessOptions): Promise<EngineProcess> {
    const engine = new EngineProcess(options);
    try {
      const hello = await engine.request('hello', { protocol: protocolVersion }, handshakeDeadlineMs);
      if (hello.outcome !== 'ok') {
        const why = hello.outcome === 'info' && hello.timedOut ? `no answer to hello within ${handshakeDeadlineMs} ms` : `hello failed: ${hello.error?.message ?? 'unknown error'}`;
        throw new EngineFaultError('handshake', engine.name, why + engine.stderrSuffix(), 'hello');
      }
      const parsed = HelloResult.parse(hello.result);
      engine.name = parsed.name;
      engine.version = parsed.version;
      if (parsed.protocol !== protocolVersion) {
        throw new EngineFaultError('version', engine.name, `the engine speaks protocol ${parsed.protocol}; this harness speaks ${protocolVersion}`, 'hello');
      }
      engine.capabilities = Capabilities.parse(parsed.capabilities);
      return engine;
    } catch (error) {
      await engine.kill();
      throw error;
    }
  }

  /**
   * Hand the engine to one scenario: its pushed events go to `onEvent` (those that came
   * before first), and its stderr is appended to `logFile` (what it wrote before first).
   */
  attach(onEvent: (event: PushedEvent, timeMs: number | undefined) => void, logFile?: string): void {
    this.eventHandler = onEvent;
    for (const [event, timeMs] of this.eventBuffer.splice(0)) onEvent(event, timeMs);
    if (logFile !== undefined) {
      this.log = createWriteStream(logFile, { flags: 'a' });
      for (const text of this.logBuffer.splice(0)) this.log.write(text);
    }
    this.logBuffer = [];
  }

  /** Take the engine back from its scenario (after `reset`), so another one can attach. */
  detach(): void {
    this.eventHandler = null;
    this.eventBuffer = [];
    this.log?.end();
    this.log = null;
  }

  /** The engine's pid (undefined if it could not be started). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Send one operation and wait for its reply, at most `deadlineMs`. Resolves ok / fail /
   * info; a result that breaks the operation's schema is a protocol fault.
   * @throws EngineFaultError when the engine has faulted, or faults while this waits.
   */
  request<Op extends OperationName>(op: Op, args: OperationArgs<Op> | Record<string, unknown>, deadlineMs: number): Promise<Outcome> {
    if (this.fault) return Promise.reject(this.fault.concerning(op));
    const id = this.nextId++;
    return new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.expired.add(id);
        resolve({ outcome: 'info', error: null, timedOut: true });
      }, deadlineMs);
      this.pending.set(id, { op, resolve, reject, timer });
      this.child.stdin!.write(`${JSON.stringify({ type: 'request', id, op, deadlineMs, args })}\n`);
    });
  }

  /**
   * Live processes of this engine's session (descendants of the engine, and every
   * process with its marker), read from /proc; the engine itself is not included.
   */
  sessionProcesses() {
    return this.scanner?.scan() ?? [];
  }

  /**
   * End the engine: ask it to `shutdown` (it kills what it started), wait for it to exit,
   * then SIGKILL it and every process of its session still alive. Bounded by
   * shutdownDeadlineMs + 2 × killWaitMs; never throws.
   * @returns whether the engine shut down by itself (replied and exited in time).
   */
  async shutdown(): Promise<boolean> {
    let clean = false;
    if (!this.fault && !this.hasExited) {
      this.stopping = true;
      const started = Date.now();
      const reply = await this.request('shutdown', {}, shutdownDeadlineMs).catch(() => null);
      const leftMs = Math.max(0, shutdownDeadlineMs - (Date.now() - started));
      const exited = await Promise.race([this.exited.then(() => true), sleep(Math.min(leftMs, killWaitMs), undefined, unreferenced).then(() => false)]);
      clean = reply?.outcome === 'ok' && exited;
    }
    await this.kill();
    return clean;
  }

  /**
   * The nemesis's crash: SIGKILL the engine process alone and wait until it is reaped
   * (bounded by killWaitMs). Its workers are left as a real crash leaves them. Requests
   * still waiting resolve as info. Never throws.
   * @returns the engine's pid, or null when it was not running.
   */
  async crash(): Promise<number | null> {
    const pid = this.child.pid;
    if (pid === undefined || this.hasExited) return null;
    this.stopping = true;
    await killPids([pid], killWaitMs);
    await Promise.race([this.exited, sleep(killWaitMs, undefined, unreferenced)]);
    this.log?.end();
    this.log = null;
    this.settlePending();
    return pid;
  }

  /** The nemesis's pause: SIGSTOP (`stop: true`) or SIGCONT the engine process. @returns false when it is not running. */
  signalStop(stop: boolean): boolean {
    if (this.child.pid === undefined || this.hasExited) return false;
    try {
      return process.kill(this.child.pid, stop ? 'SIGSTOP' : 'SIGCONT');
    } catch {
      return false;
    }
  }

  /** SIGKILL the engine and every live process of its session, and wait for them (bounded). Never throws. */
  async kill(): Promise<void> {
    this.stopping = true;
    const survivors = this.sessionProcesses().map((stat) => stat.pid);
    const pids = [...(this.child.pid !== undefined && !this.hasExited ? [this.child.pid] : []), ...survivors];
    await killPids(pids, killWaitMs);
    // Members forked while the first ones died.
    const late = this.sessionProcesses().map((stat) => stat.pid);
    if (late.length > 0) await killPids(late, killWaitMs);
    if (this.child.pid !== undefined && !this.hasExited && !isAliveInProc(this.child.pid)) {
      await Promise.race([this.exited, sleep(killWaitMs, undefined, unreferenced)]);
    }
    this.log?.end();
    liveEngines.delete(this);
    this.settlePending();
  }

  /** Requests still waiting will get no reply: they resolve as info now. */
  private settlePending(): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ outcome: 'info', error: null, timedOut: true });
      this.pending.delete(id);
      this.expired.add(id);
    }
  }

  private onLine(line: string): void {
    if (this.fault) return;
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.failWith(new EngineFaultError('protocol', this.name, 'a line on stdout is not JSON (logs belong on stderr)', null, line));
      return;
    }
    const type = (raw as { type?: unknown } | null)?.type;
    if (type === 'reply') this.onReply(raw, line);
    else if (type === 'event') this.onEvent(raw, line);
    else this.failWith(new EngineFaultError('protocol', this.name, `a line has type ${JSON.stringify(type ?? null)}; expected "reply" or "event"`, null, line));
  }

  private onReply(raw: unknown, line: string): void {
    const parsed = Reply.safeParse(raw);
    const id = (raw as { inReplyTo?: unknown }).inReplyTo;
    const pending = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!parsed.success) {
      this.failWith(new EngineFaultError('protocol', this.name, `a reply breaks the schema: ${z.prettifyError(parsed.error)}`, pending?.op ?? null, line));
      return;
    }
    if (!pending) {
      // A reply after its deadline passed is not a fault: the request was recorded as info.
      if (this.expired.delete(parsed.data.inReplyTo)) return;
      const which = parsed.data.inReplyTo < this.nextId && parsed.data.inReplyTo > 0 ? 'whose request was answered already' : 'which no request had';
      this.failWith(new EngineFaultError('protocol', this.name, `a reply answers id ${parsed.data.inReplyTo}, ${which}`, null, line));
      return;
    }
    this.pending.delete(parsed.data.inReplyTo);
    clearTimeout(pending.timer);
    if (!parsed.data.ok) {
      const { error } = parsed.data;
      pending.resolve(error.definite ? { outcome: 'fail', error } : { outcome: 'info', error, timedOut: false });
      return;
    }
    const result = operations[pending.op].result.safeParse(parsed.data.result);
    if (!result.success) {
      const fault = new EngineFaultError('protocol', this.name, `the result breaks the schema of ${pending.op}: ${z.prettifyError(result.error)}`, pending.op, line);
      pending.reject(fault);
      this.failWith(fault);
      return;
    }
    pending.resolve({ outcome: 'ok', result: result.data as Record<string, unknown> });
  }

  private onEvent(raw: unknown, line: string): void {
    const parsed = EventLine.safeParse(raw);
    if (!parsed.success) {
      this.failWith(new EngineFaultError('protocol', this.name, `an event breaks the schema: ${z.prettifyError(parsed.error)}`, null, line));
      return;
    }
    if (this.eventHandler) this.eventHandler(parsed.data.event, parsed.data.timeMs);
    else this.eventBuffer.push([parsed.data.event, parsed.data.timeMs]);
  }

  private failWith(fault: EngineFaultError): void {
    if (this.fault) return;
    this.fault = fault;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(fault.concerning(pending.op));
      this.pending.delete(id);
    }
  }

  private stderrSuffix(): string {
    const tail = this.stderrTail.trim();
    return tail === '' ? '' : `; its stderr ends: ${quote(tail.slice(-400))}`;
  }
}

/**
 * End every engine process still running, with its whole session (for an interrupt of
 * the harness). Bounded by about 2 × killWaitMs; never throws.
 */
export async function killAllEngines(): Promise<void> {
  await Promise.all([...liveEngines].map((engine) => engine.kill()));
}
