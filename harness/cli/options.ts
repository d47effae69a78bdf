import { bugProfileIds, isBugProfileId, type BugProfileId } from '../../engine/bugs/profiles.ts';
import { UsageError } from './exit-codes.ts';

/** Options every running command takes. */
export interface CommonOptions {
  bug?: string;
  out: string;
  seed?: string;
}

/** @throws UsageError naming the known profiles when `value` is not one. */
export function parseBug(value: string | undefined): BugProfileId | null {
  if (value === undefined) return null;
  if (!isBugProfileId(value)) throw new UsageError(`--bug: unknown profile '${value}' (known: ${bugProfileIds.join(', ')})`);
  return value;
}

/** @throws UsageError when `value` is not a whole number. */
export function parseSeed(value: string | undefined, fallback = 1): number {
  if (value === undefined) return fallback;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a whole number, got '${value}'`);
  return seed;
}
