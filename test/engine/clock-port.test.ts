/**
 * Goal: every wait and every reading of time in engine/ goes through the Clock port
 * (engine/ports/clock.ts), so a simulated clock can stand in: only the adapter that
 * implements it (engine/adapters/logical-clock.ts) reads `Date.now`, `performance.now`
 * or `new Date`, or sets a timer. The worker program (engine/workers/flow-worker.mjs) is
 * not the engine but the workload it runs: a separate process whose sleeping is the work,
 * so it is left out. `setImmediate` in engine/server.ts is no wait on time: it marks the
 * end of a turn of the event loop, where the group commit's batch ends. And the adapter keeps its promises: logical time moves only on
 * `advance`, `sleep` waits at least its time on the wall clock and ends early, without
 * rejecting, when its signal aborts.
 *
 * Method: the sources of engine/ read and searched; the adapter called directly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LogicalClock } from '../../engine/adapters/logical-clock.ts';

const engineRoot = fileURLToPath(new URL('../../engine/', import.meta.url));
const clockAdapter = 'adapters/logical-clock.ts';
const workload = 'workers/flow-worker.mjs';
const timeApis = /\bDate\.now\b|\bnew Date\b|\bperformance\.now\b|\bsetTimeout\b|\bsetInterval\b|node:timers|node:perf_hooks/;

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|mjs|js)$/.test(entry.name) ? [full] : [];
  });
}

describe('time through the Clock port', () => {
  it('no module of engine/ but the clock adapter reads the time or sets a timer', () => {
    const offenders: string[] = [];
    for (const file of sources(engineRoot)) {
      const relative = path.relative(engineRoot, file);
      if (relative === clockAdapter || relative === workload) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          // Comments may name what they avoid.
          const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
          if (timeApis.test(code)) offenders.push(`engine/${relative}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('LogicalClock: logical time moves only on advance; sleep waits on the wall clock, or ends early on abort', async () => {
    const clock = new LogicalClock();
    expect(clock.now()).toBe(0);
    clock.advance(250);
    expect(clock.now()).toBe(250);
    expect(() => clock.advance(-1)).toThrow(RangeError);

    const before = clock.wallNowMs();
    await clock.sleep(30);
    expect(clock.wallNowMs() - before).toBeGreaterThanOrEqual(29);
    expect(clock.now(), 'wall waits do not move logical time').toBe(250);

    const abort = new AbortController();
    const started = clock.wallNowMs();
    const long = clock.sleep(10_000, { signal: abort.signal, ref: false });
    abort.abort();
    await expect(long).resolves.toBeUndefined();
    expect(clock.wallNowMs() - started).toBeLessThan(1_000);
    await expect(clock.sleep(10_000, { signal: abort.signal })).resolves.toBeUndefined();
  });
});
