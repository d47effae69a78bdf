/**
 * Benchmark: do explore's generators reach every clause? Runs one detection campaign on
 * the reference engine (no bug profile) at the default generation weights, as
 * `flowconform explore --seed S --runs N --stats` does, and prints the per-clause table:
 * each clause with the runs whose checking exercised it (its situation occurred at least
 * once) and their share of the campaign, marking those under 5% (issue 7, item 3), then
 * the campaign's spec coverage.
 *
 * Every clause is accepted (`acceptedClauses`), so a violation does not end the campaign
 * early: all N runs are made and counted, and any violation is listed after the table
 * (on the reference engine there should be none).
 *
 * Usage: npx tsx bench/clause-generation.ts [--seed 1] [--runs 300]
 * Takes several minutes at 300 runs on a 2-core machine; it is not part of `npm test`.
 */
import { parseArgs } from 'node:util';
import { explore } from '../harness/explore/explore.ts';
import { formatClauseTable, formatCoverageBlock } from '../reports/console.ts';
import { clauses } from '../spec/clauses/registry.ts';

/** Wall time allowed per run (ms): generous, so the budget never cuts the campaign short on a loaded machine. */
const runMsMax = 20_000;

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, runs: { type: 'string', default: '300' } } });
const seed = Number(values.seed);
const runs = Number(values.runs);
if (!Number.isSafeInteger(seed)) throw new RangeError(`clause-generation: --seed must be a whole number, got '${values.seed}'`);
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`clause-generation: --runs must be a whole number >= 1, got '${values.runs}'`);

console.log(`clause generation: explore --seed ${seed} --runs ${runs} on the reference engine, default weights`);
const report = await explore({
  runs,
  seed,
  bug: null,
  timeLimitMs: runs * runMsMax,
  shrinkTimeLimitMs: 1,
  acceptedClauses: clauses.map((clause) => clause.id),
});
const seconds = report.detectionMs / 1000;
console.log(`${report.detectionRuns} runs in ${seconds.toFixed(1)} s (${(report.detectionRuns / Math.max(seconds, 0.001)).toFixed(2)} runs/s), ${report.inconclusiveRuns} inconclusive`);
console.log(formatClauseTable(report.coverage));
console.log(formatCoverageBlock(report.coverage));
for (const [clauseId, count] of Object.entries(report.acceptedViolations)) console.log(`violated (counted, campaign went on): ${clauseId} in ${count} run(s)`);
for (const run of report.inconclusive) console.log(`inconclusive run ${run.run}: ${run.reason}`);
