/**
 * Benchmark: figures of the seed scenarios against the reference engine, read from
 * their traces. For the cancel scenarios: wall ms from the cancel request's step to the
 * last process of the run's tree seen dead in /proc, and to CANCELLED. For the burst:
 * acknowledged start-process-instance requests per second (acks / wall span of the
 * burst step) and ms from the last ack to the last instance.
 *
 * Usage: npx tsx bench/seed-figures.ts [--repeat 5]
 */
import { parseArgs } from 'node:util';
import { loadScenarioFile } from '../scenarios/schema/load.ts';
import { runScenario } from '../harness/runner/run-scenario.ts';
import type { TraceEvent } from '../trace/events.ts';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '5' } } });
const repeat = Number(values.repeat);

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function cancelFigures(trace: TraceEvent[], runId: string): { reapedMs: number; cancelledMs: number } {
  const cancel = trace.find((event) => event.kind === 'request' && event.op === 'cancel-run' && event.args.run === runId)!;
  const stepBegin = [...trace].reverse().find((event) => event.seq < cancel.seq && event.kind === 'step' && event.phase === 'begin')!;
  const owners = (owner: string) => owner === runId || owner.startsWith(`${runId}.`);
  const teardown = trace.find((event) => event.kind === 'teardown')!.seq;
  const deaths = trace.filter((event) => event.kind === 'observe-process' && !event.alive && owners(event.owner) && event.seq < teardown);
  const cancelled = trace.find((event) => event.kind === 'transition' && event.id === runId && event.to === 'CANCELLED')!;
  return { reapedMs: Math.max(...deaths.map((event) => event.wallMs)) - stepBegin.wallMs, cancelledMs: cancelled.wallMs - stepBegin.wallMs };
}

for (const [file, runId] of [
  ['scenarios/windows-cancel-nested-subflows.yaml', 'nightly'],
  ['scenarios/posix-cancel-nested-subflows.yaml', 'report'],
  ['scenarios/posix-cancel-sigterm-ignoring-worker.yaml', 'stubborn'],
] as const) {
  const scenario = await loadScenarioFile(file);
  const figures = [];
  for (let index = 0; index < repeat; index += 1) figures.push(cancelFigures((await runScenario(scenario)).trace, runId));
  console.log(
    `${scenario.name}: cancel → last process of the tree dead in /proc: median ${median(figures.map((f) => f.reapedMs)).toFixed(1)} ms (min ${Math.min(...figures.map((f) => f.reapedMs)).toFixed(1)}, max ${Math.max(...figures.map((f) => f.reapedMs)).toFixed(1)}); cancel → CANCELLED: median ${median(figures.map((f) => f.cancelledMs)).toFixed(1)} ms; ${repeat} runs`,
  );
}

const burst = await loadScenarioFile('scenarios/burst-while-consumers-change.yaml');
const rates: number[] = [];
const lags: number[] = [];
for (let index = 0; index < repeat; index += 1) {
  const { trace } = await runScenario(burst);
  const acks = trace.filter((event) => event.kind === 'request' && event.op === 'start-process-instance' && event.outcome === 'ok');
  const instances = trace.filter((event) => event.kind === 'transition' && event.entity === 'instance' && event.from === null);
  const spanMs = acks.at(-1)!.wallMs - acks[0]!.wallMs;
  rates.push(acks.length / (spanMs / 1000));
  lags.push(instances.at(-1)!.wallMs - acks.at(-1)!.wallMs);
}
console.log(`${burst.name}: ${rates.length} runs, acknowledged requests/s median ${median(rates).toFixed(0)} (min ${Math.min(...rates).toFixed(0)}, max ${Math.max(...rates).toFixed(0)}); last ack → last instance median ${median(lags).toFixed(1)} ms`);
