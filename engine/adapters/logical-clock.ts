import type { Clock } from '../ports/clock.ts';

/** Logical time that moves only when a scenario says so. Starts at 0 ms. */
export class LogicalClock implements Clock {
  private timeMs = 0;

  now(): number {
    return this.timeMs;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`LogicalClock.advance: ms must be >= 0, got ${ms}`);
    this.timeMs += ms;
  }
}
