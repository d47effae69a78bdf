/**
 * Benchmark: how fast `explore` finds each seed defect without a script, and how small
 * and reliable its counterexamples are. For every bug profile and seed it runs a
 * detection campaign (300 runs / 180 s budget), shrinks, then replays the shrunk
 * counterexample three times and counts how often the same clause fails again.
 * Prints one row per (profile, seed) and the medians per profile.
 *
 * Usage: npx tsx bench/explore-detection.ts [--seeds 1,2,3,4,5] [--profiles p1,p2] [--detect-only]
 * (`--detect-only` skips shrinking and replays, for tuning generators quickly.)
 * Takes tens of minutes on a 2-core machine; it is not part of `npm test`.
 */
import { parseArgs } from 'node:util';
import { bugProfileIds, isBugProfileId, type BugProfileId } from '../engine/bugs/profiles.ts';
import { explore } from '../harness/explore/explore.ts';
import { violatedClauseIds } from '../harness/result.ts';
import { runScenario } from '../harness/runner/run-scenario.ts';

const { values } = parseArgs({
  options: { seeds: { type: 'string', default: '1,2,3,4,5' }, profiles: { type: 'string', default: bugProfileIds.join(',') }, 'detect-only': { type: 'boolean', default: false } },
});
const detectOnly = values['detect-only'];
const seeds = values.seeds.split(',').map(Number);
const profiles = values.profiles.split(',').filter(isBugProfileId) as BugProfileId[];

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

console.log('profile\tseed\tfound\truns\tseconds\tsteps\tshrinks\tclauses\treplays-failing');
for (const bug of profiles) {
  const rows: Array<{ runs: number; seconds: number; steps: number }> = [];
  for (const seed of seeds) {
    const report = await explore({ runs: 300, seed, bug, timeLimitMs: 180_000, shrinkTimeLimitMs: detectOnly ? 1 : 120_000 });
    let replaysFailing = 0;
    if (report.counterexample && !detectOnly) {
      for (let replay = 0; replay < 3; replay += 1) {
        const result = await runScenario(report.counterexample, { bug, seed });
        if (violatedClauseIds(result.verdicts).some((clauseId) => report.targetClauses.includes(clauseId))) replaysFailing += 1;
      }
    }
    const steps = report.counterexample?.steps.length ?? 0;
    rows.push({ runs: report.detectionRuns, seconds: report.detectionMs / 1000, steps });
    console.log([bug, seed, report.found, report.detectionRuns, (report.detectionMs / 1000).toFixed(1), steps, report.shrinks, report.targetClauses.join(','), `${replaysFailing}/3`].join('\t'));
  }
  console.log(`median\t${bug}\truns ${median(rows.map((row) => row.runs))}\tseconds ${median(rows.map((row) => row.seconds)).toFixed(1)}\tsteps ${median(rows.map((row) => row.steps))}`);
}
