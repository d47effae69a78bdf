/**
 * `flowconform bullmq [--bullmq <package or path>] [--redis <address>] [--concurrency <n>]`:
 * BullMQ on Redis as an engine under test, speaking the engine protocol v1
 * (docs/engine-protocol.md) on stdin/stdout; its log goes to stderr. The mapping of
 * operations and states is in bullmq-engine.ts and job-state.ts, and written out in
 * adapters/bullmq/README.md.
 *
 * The Redis server is not started here: whoever runs the suite starts it (see
 * redis-server.ts), so it outlives an adapter the nemesis kills.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { protocolVersion, operations, type OperationName } from '../../protocol/operations.ts';
import { sessionVariable } from '../../os/session-marker.ts';
import { AdapterFailure, BullmqEngine, loadBullmq, parseRedisAddress } from './bullmq-engine.ts';

/** The package `--bullmq` loads when none is named (an npm alias in devDependencies). */
export const defaultBullmqPackage = 'bullmq-6.7.0';
export const defaultRedisAddress = 'redis://127.0.0.1:6379';
/** Worker concurrency when none is named: enough for a run and its subflows to run at once. */
export const defaultConcurrency = 8;
/** After stdin closes, how long requests under way may take to be answered before the adapter ends (ms). */
export const inFlightWaitMsMax = 2_000;

const usage = 'usage: flowconform bullmq [--bullmq <package name or path>] [--redis <redis://host:port | host:port>] [--concurrency <n>]';

/**
 * Serve one adapter on stdin/stdout until stdin closes, `shutdown` is asked, or SIGTERM /
 * SIGINT arrives (then it exits 143 / 130 itself after ending every process it started).
 * @returns the exit code: 0 after a shutdown or stdin EOF, 2 for bad options.
 */
export async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args: argv,
      options: { bullmq: { type: 'string', default: defaultBullmqPackage }, redis: { type: 'string', default: defaultRedisAddress }, concurrency: { type: 'string', default: String(defaultConcurrency) } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`flowconform bullmq: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 2;
  }
  const log = (message: string) => process.stderr.write(`bullmq-adapter: ${message}\n`);
  const concurrency = Number(options.concurrency);
  let engine: BullmqEngine;
  try {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be an integer ≥ 1, got ${options.concurrency}`);
    engine = new BullmqEngine({
      bullmq: loadBullmq(options.bullmq!),
      redis: parseRedisAddress(options.redis!),
      concurrency,
      session: process.env[sessionVariable] ?? `standalone-${process.pid}`,
      log,
    });
  } catch (error) {
    process.stderr.write(`flowconform bullmq: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 2;
  }
  const send = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
  let ending: Promise<void> | null = null;
  const end = (): Promise<void> => (ending ??= engine.close());
  process.once('SIGTERM', () => void end().finally(() => process.exit(143)));
  process.once('SIGINT', () => void end().finally(() => process.exit(130)));

  const handle = async (op: OperationName, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    switch (op) {
      case 'hello': {
        // The version names BullMQ and the Redis server, so every report says which were checked.
        const redisVersion = await engine.readRedisVersion();
        return { name: 'bullmq', version: `${engine.bullmqVersion} (Redis ${redisVersion ?? 'unreachable'})`, protocol: protocolVersion, capabilities: engine.capabilities() };
      }
      case 'setup':
        await engine.setup(operations.setup.args.parse(args));
        return {};
      case 'start-run':
        return engine.startRun(parsed('start-run', args));
      case 'cancel-run':
        return engine.cancelRun(parsed('cancel-run', args));
      case 'query':
        return { entities: await engine.query() };
      case 'processes':
        return { processes: await engine.processes() };
      case 'reset':
        await engine.reset();
        return {};
      case 'shutdown':
        await end();
        return {};
      default:
        throw new AdapterFailure('not-supported', `the BullMQ adapter does not support ${op}`);
    }
  };

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let shutdownAsked = false;
  /** Requests not answered yet; stdin EOF lets them finish (at most inFlightWaitMsMax) before the end. */
  const inFlight = new Set<Promise<void>>();
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    let request: { id: number; op: OperationName; args?: Record<string, unknown> };
    try {
      request = JSON.parse(line);
    } catch {
      log(`ignoring a line that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    if (request.op === 'shutdown') shutdownAsked = true;
    const answered = handle(request.op, request.args ?? {}).then(
      (result) => {
        send({ type: 'reply', inReplyTo: request.id, ok: true, result });
        if (request.op === 'shutdown') process.exit(0);
      },
      (error: unknown) => {
        if (error instanceof AdapterFailure) {
          send({ type: 'reply', inReplyTo: request.id, ok: false, error: { code: error.code, message: error.message, definite: true } });
          return;
        }
        log(`${request.op} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        send({ type: 'reply', inReplyTo: request.id, ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error), definite: false } });
      },
    );
    inFlight.add(answered);
    void answered.finally(() => inFlight.delete(answered));
  });
  await new Promise<void>((resolve) => lines.once('close', resolve));
  // stdin closed: the harness is gone (or a shutdown is under way and exits by itself).
  if (!shutdownAsked) {
    await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, inFlightWaitMsMax).unref())]);
    await end();
    process.exit(0);
  }
  return new Promise<number>(() => {});
}

/**
 * The arguments of a step operation, parsed by its protocol schema.
 * @throws AdapterFailure('invalid-arguments') when they do not fit.
 */
function parsed<Op extends 'start-run' | 'cancel-run'>(op: Op, args: Record<string, unknown>) {
  const result = operations[op].args.safeParse(args);
  if (!result.success) throw new AdapterFailure('invalid-arguments', `${op}: ${result.error.message}`);
  return result.data as ReturnType<(typeof operations)[Op]['args']['parse']>;
}
