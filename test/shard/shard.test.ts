/**
 * Goal: `--shard i/n` splits a suite by file and a campaign by run range so that the
 * shards together cover every file and every run exactly once. Method: parse valid and
 * invalid texts; split lists and run counts for many n and check the union is a
 * partition.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/cli/exit-codes.ts';
import { parseShard, shardItems, shardLabel, shardRunRange, wholeShard } from '../../harness/shard/shard.ts';

describe('parseShard', () => {
  it('reads i/n and defaults to the whole suite', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(parseShard(undefined)).toEqual(wholeShard);
  });

  it.each(['0/2', '3/2', '1/0', 'a/b', '1', '1/2/3', '-1/2', '1.5/2', ''])('rejects %j with a usage error naming the flag', (text) => {
    expect(() => parseShard(text)).toThrow(UsageError);
    expect(() => parseShard(text)).toThrow(/--shard must be i\/n/);
  });
});

describe('shardItems', () => {
  it('deals files round robin and every file lands in exactly one shard', () => {
    const files = Array.from({ length: 11 }, (_, index) => `scenarios/s${String(index).padStart(2, '0')}.yaml`);
    for (let count = 1; count <= 13; count += 1) {
      const shards = Array.from({ length: count }, (_, index) => shardItems(files, { index: index + 1, count }));
      expect(shards.flat().sort()).toEqual(files);
      const sizes = shards.map((shard) => shard.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(shardItems(files, { index: 2, count: 4 })).toEqual([files[1], files[5], files[9]]);
  });
});

describe('shardRunRange', () => {
  it('splits runs 1..N into contiguous ranges that cover each run once', () => {
    for (const runs of [1, 7, 200, 301]) {
      for (let count = 1; count <= 9; count += 1) {
        const covered: number[] = [];
        let next = 1;
        for (let index = 1; index <= count; index += 1) {
          const { first, last } = shardRunRange(runs, { index, count });
          expect(first).toBe(next);
          for (let run = first; run <= last; run += 1) covered.push(run);
          next = last + 1;
        }
        expect(covered).toEqual(Array.from({ length: runs }, (_, index) => index + 1));
      }
    }
    expect(shardRunRange(200, { index: 2, count: 2 })).toEqual({ first: 101, last: 200 });
  });

  it('labels a shard and leaves the whole suite unlabelled', () => {
    expect(shardLabel({ index: 3, count: 8 })).toBe('3/8');
    expect(shardLabel(wholeShard)).toBe('');
  });
});
