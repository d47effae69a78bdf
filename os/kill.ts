/**
 * Ending processes the harness found alive by pid, with SIGKILL, and waiting until /proc
 * shows them dead (a zombie counts as dead). Used for what an engine left behind, and on
 * an interrupt. Only pids the caller found in its own session are passed here: the
 * harness never signals by name or pattern.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isAliveInProc } from './proc.ts';

/** How often liveness is polled while waiting (ms). */
export const killPollMs = 20;

/** SIGKILL to one pid; false when it is already gone. Never throws for a vanished process. */
export function sigkill(pid: number): boolean {
  try {
    return process.kill(pid, 'SIGKILL');
  } catch {
    return false;
  }
}

/**
 * SIGKILL every pid still alive, then wait until none is, at most `waitMsMax` (ms).
 * @returns the pids still alive at the end ([] normally).
 */
export async function killPids(pids: readonly number[], waitMsMax: number): Promise<number[]> {
  for (const pid of pids) if (isAliveInProc(pid)) sigkill(pid);
  const deadline = Date.now() + waitMsMax;
  let alive = pids.filter(isAliveInProc);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(killPollMs);
    alive = alive.filter(isAliveInProc);
  }
  return alive;
}
