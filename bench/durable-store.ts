/**
 * The reference engine's durable store (not part of `npm test`; prints figures, asserts
 * nothing). Targets: at least 5,000 acknowledged start-process-instance requests per
 * second in a burst with the durable store, and under 1 s from a restart to the first
 * answered request with 10,000 unconsumed commands; and the time from a worker's death
 * to its run leaving RUNNING.
 *
 *   npx tsx bench/durable-store.ts [--runs 3] [--burst 5000] [--backlog 10000]
 *
 * It builds dist/ first (scripts/build.mjs, not timed), then starts the built engine
 * (`node dist/bin/flowconform.js engine`) as the harness does, and measures wall time:
 * - burst: after hello and setup (no consumers, so nothing is consumed), `--burst`
 *   start-process-instance requests written to its stdin in one go, until the last reply;
 *   requests per second, with the in-memory store (`dataDir: null`) and with the durable
 *   one (SQLite in a fresh folder: a reply only after its command is committed, replies
 *   of one stdin chunk committed together);
 * - restart: an engine takes `--backlog` requests (each acknowledged, so committed), is
 *   killed with SIGKILL, and a new engine is started on the same folder: wall ms from its
 *   spawn to the hello reply, to the setup reply (recovery done), and to the reply of the
 *   first request after setup (a start-process-instance, which writes); then the number
 *   of commands it shows (it must be the backlog plus one).
 * - worker death: a run of one long process (30 s) is started and read back RUNNING; its
 *   process (pid from `processes`) is killed with SIGKILL by this script, as the
 *   nemesis's `kill` does; wall ms from the kill until `tick` + `query` first read the run
 *   in another state (CRASHED), looking every 2 ms; `--runs` times, one engine each.
 * Folders are made under the system temporary folder and removed afterwards.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultBounds } from '../trace/events.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = 'dist/bin/flowconform.js';
/** Deadline of every request, and the bound on a whole burst (ms). */
const deadlineMs = 60_000;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, burst: { type: 'string', default: '5000' }, backlog: { type: 'string', default: '10000' } } });
const runs = Number(values.runs);
const burst = Number(values.burst);
const backlog = Number(values.backlog);
for (const [name, value] of [['runs', runs], ['burst', burst], ['backlog', backlog]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${value}`);
}
/** Between two looks while waiting for a run's state (ms). */
const lookEveryMs = 2;

interface Reply {
  type: 'reply';
  inReplyTo: number;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** One engine process, spoken to as the harness does; `startedAt` is its spawn time. */
class Engine {
  readonly startedAt = performance.now();
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private nextId = 1;
  private stderr = '';

  constructor() {
    this.child = spawn(process.execPath, [entry, 'engine'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FLOWCONFORM_SESSION: `fc-bench-${process.pid}` } });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.stdin.on('error', () => {});
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      const message = JSON.parse(line) as { type: string };
      if (message.type !== 'reply') return;
      const reply = message as Reply;
      this.waiting.get(reply.inReplyTo)?.(reply);
      this.waiting.delete(reply.inReplyTo);
    });
  }

  /** Write every request at once; resolves with their replies, in request order. */
  requestAll(requests: Array<{ op: string; args: Record<string, unknown> }>): Promise<Reply[]> {
    const lines: string[] = [];
    const replies = requests.map(({ op, args }) => {
      const id = this.nextId++;
      lines.push(JSON.stringify({ type: 'request', id, op, deadlineMs, args }));
      return new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${op} #${id} within ${deadlineMs} ms; stderr: ${this.stderr.slice(-500)}`)), deadlineMs);
        this.waiting.set(id, (reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
      });
    });
    this.child.stdin.write(`${lines.join('\n')}\n`);
    return Promise.all(replies);
  }

  async request(op: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const [reply] = await this.requestAll([{ op, args }]);
    if (!reply!.ok) throw new Error(`${op} failed: ${reply!.error?.code}: ${reply!.error?.message}`);
    return reply!.result ?? {};
  }

  async start(dataDir: string | null): Promise<void> {
    await this.request('hello', { protocol: 1 });
    await this.request('setup', { platform: 'posix', bounds: defaultBounds, bug: null, seed: 1, consumerOrder: [], dataDir });
  }

  /** SIGKILL, as the harness's crash does; resolves once the process is reaped. */
  crash(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('close', () => resolve());
      this.child.kill('SIGKILL');
    });
  }

  async shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    await this.request('shutdown').catch(() => {});
    await closed;
  }
}

function instanceRequests(count: number, prefix: string): Array<{ op: string; args: Record<string, unknown> }> {
  return Array.from({ length: count }, (_, index) => ({ op: 'start-process-instance', args: { requestId: `${prefix}-${index + 1}` } }));
}

function median(figures: number[]): number {
  const sorted = [...figures].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Requests per second for one burst against a fresh engine (durable: in a fresh folder). */
async function burstRate(durable: boolean): Promise<number> {
  const folder = durable ? mkdtempSync(path.join(tmpdir(), 'fc-bench-store-')) : null;
  const engine = new Engine();
  try {
    await engine.start(folder);
    const started = performance.now();
    const replies = await engine.requestAll(instanceRequests(burst, 'burst'));
    const seconds = (performance.now() - started) / 1000;
    const refused = replies.filter((reply) => !reply.ok).length;
    if (refused > 0) throw new Error(`${refused} of ${burst} requests were refused`);
    return burst / seconds;
  } finally {
    await engine.shutdown();
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}

interface RestartFigures {
  helloMs: number;
  setupMs: number;
  firstRequestMs: number;
  commands: number;
}

async function restart(): Promise<RestartFigures> {
  const folder = mkdtempSync(path.join(tmpdir(), 'fc-bench-store-'));
  try {
    const first = new Engine();
    await first.start(folder);
    const replies = await first.requestAll(instanceRequests(backlog, 'backlog'));
    if (replies.some((reply) => !reply.ok)) throw new Error('the backlog was not acknowledged in full');
    await first.crash();

    const second = new Engine();
    await second.request('hello', { protocol: 1 });
    const helloMs = performance.now() - second.startedAt;
    await second.request('setup', { platform: 'posix', bounds: defaultBounds, bug: null, seed: 1, consumerOrder: [], dataDir: folder });
    const setupMs = performance.now() - second.startedAt;
    await second.request('start-process-instance', { requestId: 'after-restart' });
    const firstRequestMs = performance.now() - second.startedAt;
    const { entities } = (await second.request('query')) as { entities: Array<{ entity: string }> };
    await second.shutdown();
    return { helloMs, setupMs, firstRequestMs, commands: entities.filter((view) => view.entity === 'command').length };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The run's state as `query` reads it, after `tick` (the driven clock runs due work). */
async function runState(engine: Engine, runId: string): Promise<string | null> {
  await engine.request('tick');
  const { entities } = (await engine.request('query')) as { entities: Array<{ entity: string; id: string; state: string }> };
  return entities.find((view) => view.entity === 'run' && view.id === runId)?.state ?? null;
}

/** Wall ms from SIGKILL of a RUNNING run's process until the run is read back in another state. */
async function workerDeath(): Promise<{ ms: number; state: string | null }> {
  const engine = new Engine();
  try {
    await engine.start(null);
    await engine.request('start-run', { run: 'victim', durationMs: 30_000 });
    const giveUpAt = performance.now() + deadlineMs;
    let pid: number | undefined;
    while (pid === undefined) {
      if (performance.now() > giveUpAt) throw new Error('the run never had a RUNNING process');
      const { processes } = (await engine.request('processes')) as { processes: Array<{ pid: number; owner: string }> };
      if ((await runState(engine, 'victim')) === 'RUNNING') pid = processes.find((view) => view.owner === 'victim')?.pid;
      await new Promise((resolve) => setTimeout(resolve, lookEveryMs));
    }
    const killedAt = performance.now();
    process.kill(pid, 'SIGKILL');
    for (;;) {
      const state = await runState(engine, 'victim');
      if (state !== 'RUNNING') return { ms: performance.now() - killedAt, state };
      if (performance.now() > giveUpAt) throw new Error('the run stayed RUNNING after its process was killed');
      await new Promise((resolve) => setTimeout(resolve, lookEveryMs));
    }
  } finally {
    await engine.shutdown();
  }
}

const build = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet', '--warn-on-type-errors'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('bench/durable-store: the build failed (see above)');
  process.exit(1);
}
console.log(`node ${process.version}, ${entry}; medians of ${runs} runs`);

for (const durable of [false, true]) {
  const rates: number[] = [];
  for (let run = 0; run < runs; run += 1) rates.push(await burstRate(durable));
  const label = durable ? 'durable (SQLite, group commit)' : 'memory';
  console.log(`burst of ${burst} start-process-instance, ${label.padEnd(30)} ${Math.round(median(rates)).toString().padStart(7)} acknowledged/s  (runs: ${rates.map((rate) => Math.round(rate)).join(', ')})`);
}

const restarts: RestartFigures[] = [];
for (let run = 0; run < runs; run += 1) restarts.push(await restart());
const ms = (pick: (figures: RestartFigures) => number) => `${Math.round(median(restarts.map(pick)))} ms`;
console.log(
  `restart on ${backlog} unconsumed commands: hello ${ms((f) => f.helloMs)}, setup (recovered) ${ms((f) => f.setupMs)}, first request answered ${ms((f) => f.firstRequestMs)} after spawn; commands shown ${restarts.map((f) => f.commands).join(', ')} (expected ${backlog + 1})`,
);

const deaths: Array<{ ms: number; state: string | null }> = [];
for (let run = 0; run < runs; run += 1) deaths.push(await workerDeath());
console.log(
  `worker death (SIGKILL of a RUNNING run's process) to the run read back out of RUNNING: ${median(deaths.map((death) => death.ms)).toFixed(1)} ms median (runs: ${deaths.map((death) => `${death.ms.toFixed(1)} ms → ${death.state}`).join(', ')}; bound processLossBoundMs ${defaultBounds.processLossBoundMs} ms)`,
);
