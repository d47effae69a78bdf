/**
 * The reference engine as its own process, speaking the engine protocol on stdio
 * (docs/engine-protocol.md): requests on stdin, replies and pushed events on stdout, log
 * on stderr. `flowconform engine` starts it; it is also the worked example of an engine
 * under test.
 *
 * One process serves one scenario: `hello`, then `setup` (platform, bounds, bug profile,
 * seed), then the scenario's operations, then `shutdown`. Requests are handled in the
 * order they arrive; one that waits (terminate) does not hold up the ones after it.
 *
 * The engine never outlives its harness: when stdin closes (the harness exited or was
 * killed) or on SIGTERM / SIGINT, it kills every process it started and exits.
 *
 * With a data folder in `setup` the state is kept in SQLite (engine/adapters/sqlite-store.ts)
 * and every line written goes through the outbox: the replies and events of one turn of
 * the event loop (all the requests of one stdin chunk, a process exit, a kill finishing)
 * wait until that turn's writes are committed in one transaction, then go out in the
 * order they were made (group commit). Without a data folder lines go out at once, as
 * before. A setup on a folder that already holds a scenario recovers it first.
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Capabilities } from '../protocol/capabilities.ts';
import { Request, type Reply, type ReplyError } from '../protocol/messages.ts';
import { operations, protocolVersion, stepOperationNames, type OperationArgs, type OperationName } from '../protocol/operations.ts';
import { entityKinds } from '../trace/events.ts';
import { LogicalClock } from './adapters/logical-clock.ts';
import { ProtocolTraceSink } from './adapters/protocol-trace-sink.ts';
import { bugProfiles, isBugProfileId } from './bugs/profiles.ts';
import type { Store } from './ports/store.ts';
import type { Answer, ReferenceEngine } from './reference-engine.ts';
import { packageVersion } from './version.ts';

export const engineName = 'flowconform-reference';

/** What the reference engine declares in its handshake. */
export function referenceCapabilities(): Capabilities {
  return {
    entities: [...entityKinds],
    operations: [...stepOperationNames],
    faults: ['archive-listener', 'command-store', 'process-signal'],
    clock: 'driven',
    killStrategies: ['posix', 'win32'],
    events: ['transition', 'delete', 'process', 'side-effect', 'log'],
    restart: true,
    reset: true,
    bugs: bugProfiles.map((profile) => ({ ...profile })),
  };
}

class OperationError extends Error {
  constructor(readonly error: ReplyError) {
    super(error.message);
  }
}

function fromAnswer(answer: Answer): Record<string, unknown> {
  if (answer.ok) {
    const { ok: _ok, ...result } = answer;
    return result;
  }
  throw new OperationError({ code: answer.code, message: answer.error, definite: answer.code !== 'internal' });
}

/**
 * Lines to the harness. Without a durable store each line goes out at once. With one, lines
 * wait in order until the end of the current turn of the event loop, when the store
 * commits every write of the turn (one transaction, one fsync) and only then are they
 * written: nothing is acknowledged, and no transition told, before it is durable.
 */
export class Outbox {
  private store: Store | null = null;
  private readonly waiting: string[] = [];
  private flushScheduled = false;

  constructor(
    private readonly writeLine: (line: string) => void,
    /** What happens when a commit fails: nothing waiting may be sent. */
    private readonly onCommitFailed: (error: unknown) => void,
  ) {}

  /** From now on, hold lines until `store` has committed (null: send at once again). */
  useStore(store: Store | null): void {
    this.flushNow();
    this.store = store !== null && store.durable ? store : null;
  }

  /**
   * Every write of the engine comes with a line (a transition, a reply), so the flush a
   * line schedules also commits writes made outside any request (a process exit, a kill
   * finishing); a write with no line of its own is committed with the next one.
   */
  send(line: string): void {
    if (this.store === null) {
      this.writeLine(line);
      return;
    }
    this.waiting.push(line);
    this.scheduleFlush();
  }

  /** Commit, then write every waiting line. Called at the end of each turn, and before exit. */
  flushNow(): void {
    this.flushScheduled = false;
    if (this.store !== null) {
      try {
        this.store.commit();
      } catch (error) {
        this.waiting.length = 0;
        this.onCommitFailed(error);
        return;
      }
    }
    const lines = this.waiting.splice(0);
    for (const line of lines) this.writeLine(line);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // The end of this turn of the event loop (not a wait on time): every request of the
    // stdin chunk being read, and what they caused, is committed together.
    setImmediate(() => this.flushNow());
  }
}

export class EngineServer {
  private engine: ReferenceEngine | null = null;
  private store: Store | null = null;
  private clock = new LogicalClock();
  private trace: ProtocolTraceSink;
  private readonly outbox: Outbox;
  private closing: Promise<void> | null = null;

  constructor(
    writeLine: (line: string) => void,
    /** Called when the store cannot commit: the process must end without acknowledging anything more. */
    onCommitFailed: (error: unknown) => void = (error) => {
      process.stderr.write(`${engineName}: commit failed, exiting without answering: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(70);
    },
  ) {
    this.outbox = new Outbox(writeLine, onCommitFailed);
    this.trace = new ProtocolTraceSink(this.clock, (line) => this.outbox.send(line));
  }

  /** Send every line still waiting for a commit (tests; the process does it before exit). */
  flush(): void {
    this.outbox.flushNow();
  }

  /** Handle one line from the harness; every request gets exactly one reply. */
  async handleLine(line: string): Promise<void> {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      process.stderr.write(`${engineName}: ignoring a line that is not JSON: ${line.slice(0, 200)}\n`);
      return;
    }
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : null;
    const parsed = Request.safeParse(raw);
    if (!parsed.success) {
      if (id !== null) this.reply({ type: 'reply', inReplyTo: id, ok: false, error: { code: 'invalid-arguments', message: z.prettifyError(parsed.error), definite: true } });
      else process.stderr.write(`${engineName}: ignoring a line that is not a request: ${line.slice(0, 200)}\n`);
      return;
    }
    const request = parsed.data;
    try {
      const args = operations[request.op].args.safeParse(request.args);
      if (!args.success) throw new OperationError({ code: 'invalid-arguments', message: `${request.op}: ${z.prettifyError(args.error)}`, definite: true });
      const result = await this.perform(request.op, args.data as never);
      this.reply({ type: 'reply', inReplyTo: request.id, ok: true, result });
    } catch (error) {
      const replyError: ReplyError =
        error instanceof OperationError ? error.error : { code: 'internal', message: error instanceof Error ? error.message : String(error), definite: false };
      this.reply({ type: 'reply', inReplyTo: request.id, ok: false, error: replyError });
    }
    if (request.op === 'shutdown') {
      this.outbox.flushNow();
      this.store?.close();
      process.exit(0);
    }
  }

  private reply(reply: Reply): void {
    this.outbox.send(JSON.stringify(reply));
  }

  private running(op: OperationName): ReferenceEngine {
    if (this.engine === null) throw new OperationError({ code: 'conflict', message: `${op} before setup: send setup first`, definite: true });
    return this.engine;
  }

  private async perform<Op extends OperationName>(op: Op, args: OperationArgs<Op>): Promise<Record<string, unknown>> {
    const a = args as OperationArgs<OperationName> & Record<string, never>;
    switch (op) {
      case 'hello':
        return { name: engineName, version: packageVersion(), protocol: protocolVersion, capabilities: referenceCapabilities() };
      case 'setup':
        return await this.setup(args as OperationArgs<'setup'>);
      case 'tick':
        this.running(op).tick();
        return {};
      case 'query':
        return { entities: this.running(op).entities() };
      case 'processes':
        return { processes: this.trace.processes() };
      case 'shutdown':
        await this.close();
        return {};
      case 'reset':
        await this.reset();
        return {};
      case 'deploy':
        return fromAnswer(this.running(op).deploy(args as OperationArgs<'deploy'>));
      case 'start-run':
        return fromAnswer(this.running(op).startRun(args as OperationArgs<'start-run'>));
      case 'cancel-run':
        return fromAnswer(this.running(op).cancelRun((args as OperationArgs<'cancel-run'>).run));
      case 'advance-clock':
        return fromAnswer(this.running(op).advance((args as OperationArgs<'advance-clock'>).ms));
      case 'set-workers':
        return fromAnswer(this.running(op).setWorkersPaused((args as OperationArgs<'set-workers'>).action === 'pause'));
      case 'start-workflow':
        return fromAnswer(this.running(op).startWorkflow(args as OperationArgs<'start-workflow'>));
      case 'terminate-workflow': {
        const { workflow, reason } = args as OperationArgs<'terminate-workflow'>;
        return fromAnswer(await this.running(op).terminateWorkflow(workflow, reason));
      }
      case 'set-fault': {
        const { fault, active } = args as OperationArgs<'set-fault'>;
        return fromAnswer(this.running(op).setFault(fault, active));
      }
      case 'start-process-instance':
        return fromAnswer(this.running(op).startProcessInstance((args as OperationArgs<'start-process-instance'>).requestId));
      case 'set-consumers':
        return fromAnswer(this.running(op).setConsumers((args as OperationArgs<'set-consumers'>).count));
      default: {
        const unhandled: never = op as never;
        void a;
        throw new OperationError({ code: 'not-supported', message: `operation ${String(unhandled)} is not supported`, definite: true });
      }
    }
  }

  private async setup(args: OperationArgs<'setup'>): Promise<Record<string, unknown>> {
    if (this.engine !== null) throw new OperationError({ code: 'conflict', message: 'setup was already sent; one engine process serves one scenario', definite: true });
    if (args.bug !== null && !isBugProfileId(args.bug)) {
      throw new OperationError({ code: 'invalid-arguments', message: `unknown bug profile '${args.bug}' (known: ${bugProfiles.map((profile) => profile.id).join(', ')})`, definite: true });
    }
    // Loaded here, not up front: the handshake does not need the lifecycle logic (and its
    // machines), so an engine answers `hello` sooner.
    const { ReferenceEngine } = await import('./reference-engine.ts');
    // The SQLite adapter (a native module) is loaded only when a data folder asks for it.
    const store = args.dataDir === null ? undefined : await openSqliteStore(args.dataDir);
    if (this.engine !== null) {
      store?.close();
      throw new OperationError({ code: 'conflict', message: 'setup was already sent; one engine process serves one scenario', definite: true });
    }
    this.store = store ?? null;
    this.outbox.useStore(this.store);
    const engine = new ReferenceEngine({
      clock: this.clock,
      trace: this.trace,
      ...(store ? { store } : {}),
      platform: args.platform,
      bounds: args.bounds,
      bug: args.bug,
      seed: args.seed,
      consumerOrder: args.consumerOrder,
      session: process.env.FLOWCONFORM_SESSION,
    });
    this.engine = engine;
    if (engine.recovering) {
      const stored = engine.configuration;
      const differs = (['platform', 'bug', 'seed'] as const).filter((key) => stored[key] !== args[key]);
      if (differs.length > 0) {
        this.trace.emit({ kind: 'log', level: 'warn', message: `setup differs from the stored scenario in ${differs.join(', ')}; the stored values are kept` });
      }
      await engine.recover();
    }
    return {};
  }

  /**
   * End the scenario: kill every process, forget every entity, and start the logical
   * clock and the process list afresh, ready for the next `setup`.
   */
  private async reset(): Promise<void> {
    await this.close();
    this.outbox.useStore(null);
    this.store?.close();
    this.store = null;
    this.engine = null;
    this.closing = null;
    this.clock = new LogicalClock();
    this.trace = new ProtocolTraceSink(this.clock, (line) => this.outbox.send(line));
  }

  /**
   * Kill every process the engine started and wait for them (bounded); idempotent. What
   * the kills changed is committed and told; the store stays open (the process exit, or
   * `reset`, closes it).
   */
  close(): Promise<void> {
    this.closing ??= this.engine === null ? Promise.resolve() : this.engine.close().finally(() => this.outbox.flushNow());
    return this.closing;
  }
}

async function openSqliteStore(dataDir: string): Promise<Store> {
  const { SqliteStore } = await import('./adapters/sqlite-store.ts');
  try {
    return new SqliteStore(dataDir);
  } catch (error) {
    throw new OperationError({ code: 'unavailable', message: `cannot open the store in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`, definite: true });
  }
}

/**
 * `flowconform engine`: serve the reference engine on stdin/stdout until stdin closes,
 * `shutdown` is asked, or SIGTERM / SIGINT arrives. Takes no arguments (the scenario's
 * configuration, bug profile included, comes in `setup`).
 * @returns the exit code (2 for unexpected arguments); on the signals it exits itself.
 */
export async function main(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    process.stderr.write(`flowconform engine: no arguments expected, got ${argv.join(' ')}\n`);
    return 2;
  }
  const server = new EngineServer((line) => process.stdout.write(`${line}\n`));
  const end = (code: number) => {
    void server.close().finally(() => process.exit(code));
  };
  process.once('SIGTERM', () => end(143));
  process.once('SIGINT', () => end(130));
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    void server.handleLine(line);
  });
  await new Promise<void>((resolve) => lines.once('close', resolve));
  // The harness is gone: nobody will ask for the processes any more.
  await server.close();
  return 0;
}
