/**
 * Test helper: the built reference engine (`node dist/bin/flowconform.js engine`, built by
 * the test run's global setup) as its own process, spoken to over the protocol the way
 * the harness does, with a session marker the test chooses (a restarted engine keeps its
 * predecessor's, as the harness's restart does). It keeps every line the engine wrote.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defaultBounds } from '../../trace/events.ts';
import { sessionVariable } from '../../os/session-marker.ts';
import { killPids } from '../../os/kill.ts';
import { livePidsOfSession } from '../harness/session-processes.ts';

const entry = fileURLToPath(new URL('../../dist/bin/flowconform.js', import.meta.url));
/** Deadline of one request in these tests (ms). */
const requestDeadlineMs = 15_000;

export interface ReplyLine {
  type: 'reply';
  inReplyTo: number;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string; definite: boolean };
}

export interface EventLine {
  type: 'event';
  timeMs?: number;
  event: Record<string, unknown> & { kind: string };
}

export const setupArgs = (dataDir: string | null, extra: Record<string, unknown> = {}) => ({
  platform: 'posix',
  bounds: defaultBounds,
  bug: null,
  seed: 1,
  consumerOrder: [],
  dataDir,
  ...extra,
});

export class EngineDriver {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every line the engine wrote on stdout, parsed, in order. */
  readonly lines: Array<ReplyLine | EventLine> = [];
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  stderr = '';
  private readonly waiting = new Map<number, (reply: ReplyLine) => void>();
  private readonly lineListeners = new Set<(line: ReplyLine | EventLine) => void>();
  private nextId = 1;

  constructor(readonly session: string) {
    this.child = spawn(process.execPath, [entry, 'engine'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, [sessionVariable]: session } });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (text) => {
      let line: ReplyLine | EventLine;
      try {
        line = JSON.parse(text) as ReplyLine | EventLine;
      } catch {
        // The half of a line a SIGKILL cut off.
        return;
      }
      this.lines.push(line);
      for (const listener of this.lineListeners) listener(line);
      if (line.type === 'reply') {
        this.waiting.get(line.inReplyTo)?.(line);
        this.waiting.delete(line.inReplyTo);
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Called synchronously for every line as it is read (before any promise settles). */
  onLine(listener: (line: ReplyLine | EventLine) => void): void {
    this.lineListeners.add(listener);
  }

  /** Write requests in one write; resolves with their ids and replies, in request order. */
  sendAll(requests: Array<{ op: string; args?: Record<string, unknown> }>): { ids: number[]; replies: Promise<ReplyLine[]> } {
    const ids: number[] = [];
    const lines: string[] = [];
    const replies = requests.map(({ op, args = {} }) => {
      const id = this.nextId++;
      ids.push(id);
      lines.push(JSON.stringify({ type: 'request', id, op, deadlineMs: requestDeadlineMs, args }));
      return new Promise<ReplyLine>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${op} #${id} within ${requestDeadlineMs} ms; stderr: ${this.stderr.slice(-800)}`)), requestDeadlineMs);
        timer.unref();
        this.waiting.set(id, (reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
      });
    });
    this.child.stdin.write(`${lines.join('\n')}\n`);
    return { ids, replies: Promise.all(replies) };
  }

  async reply(op: string, args: Record<string, unknown> = {}): Promise<ReplyLine> {
    const [reply] = await this.sendAll([{ op, args }]).replies;
    return reply!;
  }

  /** The result of a request that must succeed. */
  async ok(op: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const reply = await this.reply(op, args);
    if (!reply.ok) throw new Error(`${op} ${JSON.stringify(args)} failed: ${reply.error?.code}: ${reply.error?.message}`);
    return reply.result ?? {};
  }

  async start(dataDir: string | null, extra: Record<string, unknown> = {}): Promise<void> {
    await this.ok('hello', { protocol: 1 });
    await this.ok('setup', setupArgs(dataDir, extra));
  }

  events(): Array<EventLine['event']> {
    return this.lines.filter((line): line is EventLine => line.type === 'event').map((line) => line.event);
  }

  transitions(): Array<{ entity: string; id: string; from: string | null; to: string; cause: string; detail?: string }> {
    return this.events().filter((event) => event.kind === 'transition') as never;
  }

  /** Waits until `done` holds for the lines so far (checked on every new line), at most `timeoutMs`. */
  waitFor(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.lineListeners.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.lineListeners.delete(check);
        resolve();
      };
      this.lineListeners.add(check);
    });
  }

  /** The state the last transition of an entity moved it to, from the pushed events. */
  stateOf(entity: string, id: string): string | undefined {
    return this.transitions()
      .filter((event) => event.entity === entity && event.id === id)
      .at(-1)?.to;
  }

  /** SIGKILL the engine alone (its workers stay, as after a crash); resolves once it is reaped. */
  async crash(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async shutdown(): Promise<void> {
    await this.reply('shutdown').catch(() => undefined);
    await this.exited;
  }
}

/** SIGKILL every live process of the session by pid and wait (bounded); returns those still alive. */
export async function killSession(session: string): Promise<number[]> {
  const pids = livePidsOfSession(session);
  if (pids.length > 0) await killPids(pids, 3_000);
  return livePidsOfSession(session);
}
