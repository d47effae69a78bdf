/**
 * Goal: shards of a campaign and of a scripted suite, merged, give the totals, scenario
 * list and coverage count of the unsharded run; merge refuses shards of different
 * campaigns (exit 2) and keeps the worst exit code. Method: real campaigns of two runs
 * on the reference engine (seed 3) and a suite of two small scenario files, through the
 * CLI in this process (`runMain`), into a temp directory removed at the end.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../support/run-main.ts';

/** Test timeout (ms): six short engine runs on a loaded 2-core machine. */
const testTimeoutMs = 120_000;

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'flowconform-merge-test-'));
});
afterAll(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

async function summary(directory: string) {
  return JSON.parse(await readFile(path.join(directory, 'summary.json'), 'utf8'));
}

describe('explore --shard and merge', () => {
  it(
    'two shards of a campaign merge into the totals of the whole campaign',
    async () => {
      const whole = path.join(workDir, 'whole');
      const outcomes = [
        await runMain(['explore', '--seed', '3', '--runs', '2', '--out', whole]),
        await runMain(['explore', '--seed', '3', '--runs', '2', '--shard', '1/2', '--out', path.join(workDir, 'shard-1')]),
        await runMain(['explore', '--seed', '3', '--runs', '2', '--shard', '2/2', '--out', path.join(workDir, 'shard-2')]),
      ];
      for (const outcome of outcomes) expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
      expect(outcomes[2]!.stdout).toMatch(/no clause violated in 1 run\(s\) \(runs 2–2 of 2, shard 2\/2\)/);
      const merged = path.join(workDir, 'merged');
      const merge = await runMain(['merge', path.join(workDir, 'shard-1'), path.join(workDir, 'shard-2'), '--out', merged]);
      expect(merge.code, merge.stdout + merge.stderr).toBe(0);
      const [expected, actual] = [await summary(whole), await summary(merged)];
      expect(actual.totals).toEqual(expected.totals);
      expect(actual.scenarios.map((scenario: { name: string }) => scenario.name)).toEqual(['run-1', 'run-2']);
      expect(actual.scenarios.map((scenario: { name: string }) => scenario.name)).toEqual(expected.scenarios.map((scenario: { name: string }) => scenario.name));
      expect(actual.coverage.scenarios).toBe(expected.coverage.scenarios);
      expect(actual.exitCode).toBe(0);
      expect(await readFile(path.join(merged, 'junit.xml'), 'utf8')).toContain('name="run-2"');
    },
    testTimeoutMs,
  );

  it('refuses shards of different campaigns with exit 2 naming the field', async () => {
    const other = path.join(workDir, 'other-seed');
    const outcome = await runMain(['explore', '--seed', '4', '--runs', '1', '--shard', '2/2', '--out', other]);
    expect(outcome.code).toBe(0);
    const merge = await runMain(['merge', path.join(workDir, 'shard-1'), other, '--out', path.join(workDir, 'bad')]);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toMatch(/is not a shard of the suite in .*: its seed is 4, not 3/);
    const missing = await runMain(['merge', path.join(workDir, 'nowhere'), '--out', path.join(workDir, 'bad')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/merge: cannot read .*nowhere\/summary\.json/);
  }, testTimeoutMs);
});

describe('run --shard and merge', () => {
  it(
    'splits scenario files between shards and merges back to every file once, failures kept',
    async () => {
      const files = ['scenarios/terminate-twice.yaml', 'scenarios/terminate-completed-workflow.yaml'];
      const shards = [1, 2].map((index) => path.join(workDir, `run-${index}`));
      for (const [index, out] of shards.entries()) {
        const outcome = await runMain(['run', ...files, '--shard', `${index + 1}/2`, '--bug', 'conductor-303', '--out', out]);
        expect([0, 1], outcome.stdout + outcome.stderr).toContain(outcome.code);
        expect((await summary(out)).scenarios).toHaveLength(1);
      }
      const names = [...(await summary(shards[0]!)).scenarios, ...(await summary(shards[1]!)).scenarios].map((scenario: { name: string }) => scenario.name);
      expect(new Set(names).size).toBe(2);
      const merged = path.join(workDir, 'run-merged');
      const merge = await runMain(['merge', ...shards, '--out', merged]);
      const result = await summary(merged);
      expect(result.scenarios.map((scenario: { name: string }) => scenario.name)).toEqual(names);
      expect(result.totals.scenarios).toBe(2);
      // The worst shard decides: the merged exit code is the one the whole suite would have had.
      const codes: number[] = (await Promise.all(shards.map(summary))).map((shard: { exitCode: number }) => shard.exitCode);
      expect(merge.code).toBe(codes.includes(1) ? 1 : codes.includes(3) ? 3 : 0);
      expect(result.coverage.scenarios).toBe(2);
    },
    testTimeoutMs,
  );
});
