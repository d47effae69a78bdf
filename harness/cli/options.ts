import { coverageMeasureNames, type CoverageMeasureName, type CoverageMinimum } from '../coverage/coverage-totals.ts';
import { UsageError } from './exit-codes.ts';

/** Options every running command takes. */
export interface CommonOptions {
  bug?: string;
  out: string;
  seed?: string;
  engine?: string;
  jobs?: string;
  withholdEvents?: boolean;
  /** `--shard i/n` (harness/shard/shard.ts). */
  shard?: string;
  coverageMin?: string;
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

/** A percent as `--coverage-min` writes it: a number from 0 to 100, `%` allowed after it. */
function parsePercent(flag: string, text: string, whole: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  const percent = match ? Number(match[1]) : NaN;
  if (!(percent >= 0 && percent <= 100)) throw new UsageError(`${flag}: '${text}' is not a percent from 0 to 100 (in '${whole}')`);
  return percent;
}

/**
 * `--coverage-min`: one percent for all three measures (`80`), or a percent per measure
 * (`clauses=100,transitions=60,states=90`; a measure left out has no minimum). Undefined
 * when the option is absent.
 *
 * @throws UsageError on an empty text, a value that is not a percent from 0 to 100, a
 *   name other than states, transitions and clauses, a measure named twice, or a plain
 *   percent mixed with named ones.
 */
export function parseCoverageMin(value: string | undefined, flag = '--coverage-min'): CoverageMinimum | undefined {
  if (value === undefined) return undefined;
  const usage = `${flag} takes a percent for all measures (${flag} 80) or per measure (${flag} clauses=100,transitions=60,states=90)`;
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new UsageError(`${usage}; got '${value}'`);
  if (parts.length === 1 && !parts[0]!.includes('=')) {
    const percent = parsePercent(flag, parts[0]!, value);
    return { states: percent, transitions: percent, clauses: percent };
  }
  const minimum: CoverageMinimum = {};
  for (const part of parts) {
    const [name, percent, ...rest] = part.split('=').map((piece) => piece.trim());
    if (percent === undefined || rest.length > 0) throw new UsageError(`${usage}; '${part}' is not measure=percent`);
    if (!(coverageMeasureNames as readonly string[]).includes(name!)) {
      throw new UsageError(`${flag}: '${name}' is not a measure; the measures are ${coverageMeasureNames.join(', ')}`);
    }
    const measure = name as CoverageMeasureName;
    if (minimum[measure] !== undefined) throw new UsageError(`${flag}: ${measure} is named twice in '${value}'`);
    minimum[measure] = parsePercent(flag, percent, value);
  }
  return minimum;
}
