/**
 * Start-up time of the built CLI and engine (not part of `npm test`; prints figures,
 * asserts nothing). Targets: `flowconform --help` under 300 ms, and the engine's first
 * reply under 300 ms after spawn.
 *
 *   npx tsx bench/startup.ts [--runs 10]
 *
 * It builds dist/ first (scripts/build.mjs, not timed; type errors only warn), then, `runs` times each, measures
 * wall time from spawn:
 * - node: `node -e 0`, the floor every figure below includes;
 * - help: `node dist/bin/flowconform.js --help` until it exits;
 * - engine: `node dist/bin/flowconform.js engine`, with one hello request written to its
 *   stdin at once, until the first stdout line that is a JSON object with
 *   `"type":"reply"` and `"inReplyTo":1`; then stdin is closed and the process must exit
 *   (not timed). When the engine does not answer (no engine/server.ts yet, a crash, no
 *   reply within `replyMsMax`), it prints `engine: not available (…)` instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = 'dist/bin/flowconform.js';
const hello = { type: 'request', id: 1, op: 'hello', deadlineMs: 5000, args: { protocol: 1 } };
/** How long one engine may take to reply, then to exit after stdin closes (ms). */
const replyMsMax = 10_000;
const exitMsMax = 10_000;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1, got ${values.runs}`);

/** Wall ms from spawn until the process exits; throws unless it exits 0. */
function timeToExit(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}: ${stderr.trim()}`));
    });
  });
}

/** True for the engine's reply to request 1. */
function isHelloReply(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const message = value as Record<string, unknown>;
    return message.type === 'reply' && message.inReplyTo === 1;
  } catch {
    return false;
  }
}

/** Wall ms from spawn until the engine's hello reply; throws, naming why, when there is none. */
function timeToHelloReply(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [entry, 'engine'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let replyMs: number | null = null;
    let stderr = '';
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === null && replyMs !== null) resolve(replyMs);
      else reject(error ?? new Error('no reply'));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(replyMs === null ? `no reply within ${replyMsMax} ms` : `replied, but did not exit within ${exitMsMax} ms of stdin closing`));
    }, replyMsMax + exitMsMax);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => {
      // The engine exited before reading its stdin: reported from 'close'.
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (replyMs !== null || !isHelloReply(line)) return;
      replyMs = performance.now() - started;
      child.stdin.end();
    });
    child.on('error', (error) => finish(error));
    child.on('close', (code, signal) => {
      if (replyMs === null) {
        const firstLine = stderr.trim().split('\n')[0] ?? '';
        finish(new Error(`exited with ${signal ?? `code ${code}`} before replying${firstLine === '' ? '' : `: ${firstLine}`}`));
      } else if (code !== 0) finish(new Error(`replied, then exited with ${signal ?? `code ${code}`}`));
      else finish(null);
    });
    child.stdin.write(`${JSON.stringify(hello)}\n`);
  });
}

async function sample(label: string, once: () => Promise<number>): Promise<void> {
  const figures: number[] = [];
  try {
    for (let run = 0; run < runs; run += 1) figures.push(await once());
  } catch (error) {
    console.log(`${label}: not available (${error instanceof Error ? error.message : String(error)})`);
    return;
  }
  figures.sort((a, b) => a - b);
  const middle = Math.floor(figures.length / 2);
  const median = figures.length % 2 === 1 ? figures[middle]! : (figures[middle - 1]! + figures[middle]!) / 2;
  const ms = (value: number) => `${Math.round(value)} ms`.padStart(8);
  console.log(`${label.padEnd(8)}min ${ms(figures[0]!)}  median ${ms(median)}  max ${ms(figures.at(-1)!)}  (${runs} runs)`);
}

const build = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet', '--warn-on-type-errors'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('bench/startup: the build failed (see above)');
  process.exit(1);
}
console.log(`wall ms from spawn; node ${process.version}, ${entry}`);
await sample('node', () => timeToExit(['-e', '0']));
await sample('help', () => timeToExit([entry, '--help']));
await sample('engine', timeToHelloReply);
