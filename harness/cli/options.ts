import { UsageError } from './exit-codes.ts';

/** Options every running command takes. */
export interface CommonOptions {
  bug?: string;
  out: string;
  seed?: string;
  engine?: string;
  jobs?: string;
  withholdEvents?: boolean;
}

/** Most scenarios `--jobs` may run at once (count): more than the machine's cores only adds noise to timings. */
export const jobsMax = 16;

/** @throws UsageError when `value` is not a whole number from 1 to jobsMax. */
export function parseJobs(value: string | undefined): number {
  if (value === undefined) return 1;
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > jobsMax) throw new UsageError(`--jobs must be a whole number from 1 to ${jobsMax}, got '${value}'`);
  return jobs;
}

/** @throws UsageError when `value` is not a whole number. */
export function parseSeed(value: string | undefined, fallback = 1): number {
  if (value === undefined) return fallback;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a whole number, got '${value}'`);
  return seed;
}
