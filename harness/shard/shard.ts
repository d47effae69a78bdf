/**
 * Sharding a suite or a campaign over the machines of a CI matrix (`--shard i/n`).
 *
 * - `run`: scenarios are split by file. The files are sorted by path and shard i of n
 *   takes every file whose index in that order is i − 1 modulo n (round robin, so long
 *   and short scenarios mix). Every file lands in exactly one shard.
 * - `explore`: runs are split by range of the one seeded sequence. A campaign `--seed S
 *   --runs N` draws scenario k (1-based) from fast-check's stream for S whatever the
 *   other runs do, so shard i of n runs k from ⌊(i−1)·N/n⌋ + 1 to ⌊i·N/n⌋ and skips the
 *   others without running them. The shards together run exactly the N scenarios of the
 *   unsharded campaign, and a counterexample found in a shard replays with the same seed
 *   and path as if found unsharded.
 */
import { UsageError } from '../cli/exit-codes.ts';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** The whole suite or campaign: one shard of one. */
export const wholeShard: Shard = { index: 1, count: 1 };

/** Most shards a suite may be split into (count): a bound, not a recommendation. */
export const shardCountMax = 1000;

/**
 * `--shard i/n` → { index: i, count: n }; undefined → the whole suite.
 *
 * @throws UsageError when the text is not `i/n` with whole numbers 1 ≤ i ≤ n ≤ shardCountMax.
 */
export function parseShard(text: string | undefined): Shard {
  if (text === undefined) return wholeShard;
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(index >= 1) || !(count >= index) || count > shardCountMax) {
    throw new UsageError(`--shard must be i/n with whole numbers 1 <= i <= n <= ${shardCountMax} (e.g. 2/4), got '${text}'`);
  }
  return { index, count };
}

/** The items of `items` (already sorted, e.g. scenario files by path) that belong to `shard`: round robin by position. */
export function shardItems<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, position) => position % shard.count === shard.index - 1);
}

/**
 * The 1-based run numbers of a campaign of `runs` that `shard` runs: a contiguous range,
 * `first` to `last` inclusive (`last < first` when the shard is empty, for runs < count).
 */
export function shardRunRange(runs: number, shard: Shard): { first: number; last: number } {
  return { first: Math.floor(((shard.index - 1) * runs) / shard.count) + 1, last: Math.floor((shard.index * runs) / shard.count) };
}

/** `2/4`, for headers and replay commands; empty text for the whole suite. */
export function shardLabel(shard: Shard): string {
  return shard.count === 1 ? '' : `${shard.index}/${shard.count}`;
}
