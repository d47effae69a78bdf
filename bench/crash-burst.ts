/**
 * A crash in the middle of instance creation, repeated (not part of `npm test`; prints
 * figures, asserts nothing). Each repetition runs one scenario against the reference
 * engine: two masters, a burst of `--requests` start-process-instance requests while
 * masters join and leave, the engine killed with SIGKILL with commands still unconsumed,
 * a restart on the same data, two masters again, and a drain. The consumer order (the
 * interleaving of the masters' turns) is drawn from the repetition's seed.
 *
 *   npx tsx bench/crash-burst.ts [--repetitions 20] [--requests 5000]
 *
 * Per repetition it prints what the trace shows: requests acknowledged, of them how many
 * have no instance (lost) and how many more than one (duplicated), the verdicts of
 * INSTANCE-01/02/05 and RESTART-02, and the processes of the engine's session alive
 * afterwards (read from /proc).
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { runScenario } from '../harness/runner/run-scenario.ts';
import { Scenario } from '../scenarios/schema/steps.ts';
import { livePidsOfSession, sessionOf } from '../test/harness/session-processes.ts';

const { values } = parseArgs({ options: { repetitions: { type: 'string', default: '20' }, requests: { type: 'string', default: '5000' } } });
const repetitions = Number(values.repetitions);
const requests = Number(values.requests);

/** The consumer order of one repetition: a seeded shuffle of the masters' indexes. */
function consumerOrder(seed: number): number[] {
  return fc.sample(fc.shuffledSubarray([0, 1, 2], { minLength: 3 }), { seed, numRuns: 1 })[0]!;
}

function scenario(seed: number) {
  return Scenario.parse({
    name: `crash-burst-${seed}`,
    description: 'bench: crash during a burst while masters change, restart, drain',
    consumerOrder: consumerOrder(seed),
    steps: [
      { consumers: { count: 2 } },
      {
        burst: {
          requests,
          batchSize: 500,
          membership: [
            { afterRequests: Math.floor(requests / 4), consumers: 3 },
            { afterRequests: Math.floor((requests * 3) / 4), consumers: 1 },
          ],
        },
      },
      { crash: {} },
      { restart: {} },
      { consumers: { count: 2 } },
      { drain: { timeoutMs: 10_000 } },
    ],
  });
}

const verdictOf = (result: Awaited<ReturnType<typeof runScenario>>, clauseId: string) => String(result.verdicts.find((verdict) => verdict.clauseId === clauseId)?.valid ?? '-');

console.log(`crash during a ${requests}-request burst, ${repetitions} repetitions (seeds 1..${repetitions})`);
console.log('seed  order  acked  lost  duplicated  INSTANCE-01  INSTANCE-02  INSTANCE-05  RESTART-02  processes-left  ms');
let totals = { lost: 0, duplicated: 0, left: 0, failed: 0 };
for (let seed = 1; seed <= repetitions; seed += 1) {
  const result = await runScenario({ ...scenario(seed), file: null }, { seed });
  const acked = new Set(result.trace.flatMap((event) => (event.kind === 'request' && event.op === 'start-process-instance' && event.outcome === 'ok' ? [event.requestId] : [])));
  // Instances as the query API showed them, by the request they were made for.
  const instancesByRequest = new Map<string, Set<string>>();
  for (const event of result.trace) {
    if (event.kind !== 'observe' || event.entity !== 'instance' || event.requestId === undefined || event.state === null) continue;
    instancesByRequest.set(event.requestId, new Set([...(instancesByRequest.get(event.requestId) ?? []), event.id]));
  }
  const lost = [...acked].filter((requestId) => !instancesByRequest.has(requestId)).length;
  const duplicated = [...instancesByRequest.values()].filter((ids) => ids.size > 1).length;
  const left = livePidsOfSession(sessionOf(result)).length;
  totals = { lost: totals.lost + lost, duplicated: totals.duplicated + duplicated, left: totals.left + left, failed: totals.failed + (result.outcome === 'pass' ? 0 : 1) };
  console.log(
    [seed, scenario(seed).consumerOrder.join(''), acked.size, lost, duplicated, verdictOf(result, 'INSTANCE-01'), verdictOf(result, 'INSTANCE-02'), verdictOf(result, 'INSTANCE-05'), verdictOf(result, 'RESTART-02'), left, result.durationMs]
      .map(String)
      .join('  '),
  );
}
console.log(`total: ${totals.lost} lost, ${totals.duplicated} duplicated, ${totals.left} processes left, ${totals.failed} repetitions not passing`);
