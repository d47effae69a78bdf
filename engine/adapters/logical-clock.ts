/**
 * The Clock port on this process: logical time that moves only when a scenario says so
 * (starting at 0 ms, or where a recovered engine left it), and wall time from
 * `performance.now()` and Node's timers. The one module of engine/ that reads the real
 * time or sets a timer.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, SleepOptions } from '../ports/clock.ts';

export class LogicalClock implements Clock {
  private timeMs = 0;
  private readonly wallOriginMs = performance.now();

  now(): number {
    return this.timeMs;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`LogicalClock.advance: ms must be >= 0, got ${ms}`);
    this.timeMs += ms;
  }

  wallNowMs(): number {
    return performance.now() - this.wallOriginMs;
  }

  async sleep(ms: number, options: SleepOptions = {}): Promise<void> {
    if (options.signal?.aborted) return;
    try {
      await delay(Math.max(0, ms), undefined, { ref: options.ref ?? true, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      // Aborted: the wait ends early, as the port promises; anything else is a real fault.
      if ((error as { name?: string }).name !== 'AbortError') throw error;
    }
  }
}
