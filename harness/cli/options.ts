import { UsageError } from './exit-codes.ts';

/** Options every running command takes. */
export interface CommonOptions {
  bug?: string;
  out: string;
  seed?: string;
  engine?: string;
}

/** @throws UsageError when `value` is not a whole number. */
export function parseSeed(value: string | undefined, fallback = 1): number {
  if (value === undefined) return fallback;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a whole number, got '${value}'`);
  return seed;
}
