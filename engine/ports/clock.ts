/**
 * Time, the one way the engine reads it or waits on it. Two kinds:
 *
 * - logical time (`now`, `advance`): only scenario steps move it; schedules, lateness and
 *   retry delays of runs are measured on it;
 * - wall time (`wallNowMs`, `sleep`): the real waits the engine cannot avoid (a kill's grace
 *   period, the wait for a tree to die, the delay before a listener retry, the bound on a
 *   process's last output).
 *
 * Nothing in engine/ reads `Date.now`, `performance.now` or calls `setTimeout` except the
 * adapter implementing this port, so a simulated clock can stand in for both kinds.
 */
export interface Clock {
  /** Current logical time (ms since the scenario began). */
  now(): number;
  /** Move logical time forward. @throws RangeError when `ms` is negative. */
  advance(ms: number): void;
  /** Wall time (ms) on a monotonic clock, from an origin of the adapter's choosing (its creation). */
  wallNowMs(): number;
  /**
   * Resolve after `ms` of wall time. With `ref: false` the wait does not keep the process
   * alive on its own; with `signal` it resolves early once the signal aborts. Never rejects.
   */
  sleep(ms: number, options?: SleepOptions): Promise<void>;
}

export interface SleepOptions {
  /** false: the pending wait alone does not keep the process running (default true). */
  ref?: boolean;
  /** Ends the wait early (it then resolves, it does not reject). */
  signal?: AbortSignal;
}
