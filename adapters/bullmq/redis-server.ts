/**
 * A real `redis-server` for the BullMQ adapter and its tests: started on a free loopback
 * port with persistence off (argument array, no shell), waited for until it answers
 * PING, and stopped by its pid. It is started by whoever runs the suite, never by the
 * adapter, so it outlives an adapter the nemesis crashes and the restarted adapter finds
 * its jobs.
 *
 * Get the server with `apt-get install redis-server` (Debian, Ubuntu) or your platform's
 * package; `FLOWCONFORM_REDIS_SERVER` names another binary.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** The binary started: `FLOWCONFORM_REDIS_SERVER`, else `redis-server` on PATH. */
export const redisServerBinary = process.env.FLOWCONFORM_REDIS_SERVER ?? 'redis-server';
/** How long the server may take to answer PING after it was started (ms). */
export const redisStartMsMax = 10_000;
/** How long it may take to exit after SIGTERM before SIGKILL (ms). */
export const redisStopGraceMs = 2_000;

/** A redis-server this process started. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  pid: number;
  /** The server's own version (`redis-server --version`), e.g. `7.0.15`. */
  version: string;
  /** SIGTERM, up to redisStopGraceMs, then SIGKILL; resolves once the process has exited. Never throws. */
  stop(): Promise<void>;
}

/**
 * The version of the redis-server binary, or null when it is not installed (a one-line
 * reason for skipping tests is then `redis-server is not installed`).
 */
export function redisServerVersion(binary = redisServerBinary): string | null {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  return /v=(\S+)/.exec(result.stdout)?.[1] ?? result.stdout.trim();
}

/** A port the kernel just handed out on 127.0.0.1 (free at that moment). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('freePort: no TCP address');
  return address.port;
}

/** True when a Redis on the port answers PING with PONG. */
async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let text = '';
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      if (text.includes('\r\n')) done(text.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/**
 * Starts `redis-server` on a free loopback port, without persistence (`--save ''`,
 * `--appendonly no`), and waits until it answers PING.
 * @throws Error when the binary is missing, exits early, or does not answer within redisStartMsMax.
 */
export async function startRedisServer(binary = redisServerBinary): Promise<RedisServer> {
  const version = redisServerVersion(binary);
  if (version === null) throw new Error(`startRedisServer: ${binary} is not installed (apt-get install redis-server)`);
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp', '--loglevel', 'warning'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  const stop = async () => {
    if (exitedEarly) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), redisStopGraceMs);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + redisStartMsMax;
  while (!(await answersPing(port))) {
    if (exitedEarly) throw new Error(`startRedisServer: ${binary} exited before answering: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`startRedisServer: ${binary} did not answer PING on port ${port} within ${redisStartMsMax} ms`);
    }
    await sleep(20);
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid!, version, stop };
}
