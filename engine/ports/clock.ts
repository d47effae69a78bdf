/** Logical time (ms). Only scenario steps move it; the engine reads it. */
export interface Clock {
  /** Current logical time (ms since the scenario began). */
  now(): number;
  /** Move logical time forward. @throws RangeError when `ms` is negative. */
  advance(ms: number): void;
}
