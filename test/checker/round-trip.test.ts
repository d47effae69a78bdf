/**
 * Goal: the `flowconform check` contract. A trace written as JSON lines and read back
 * line by line with `TraceEvent` is the same history, and the checker gives it the same
 * verdicts as the events it was written from; `readTrace` and `checkCommand` (the CLI's
 * reader and command) agree, and the exit code follows docs/trace.md (0 conformant,
 * 1 violated, 3 inconclusive).
 * Method: the family stories of test/checker/fixtures.ts in passing, failing and
 * cut-short variants (the test first checks that the set holds all three validities, so
 * it cannot pass on a set of conformant traces alone); each is written to JSON lines in
 * memory and, for the CLI, to a file in a temporary directory removed afterwards.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import { checkCommand, readTrace } from '../../harness/cli/commands/check.ts';
import { exitCodes } from '../../harness/cli/exit-codes.ts';
import { defaultBounds, TraceEvent } from '../../trace/events.ts';
import { cancelStory, deploymentIds, deploymentStory, instanceStory, terminateStory } from './fixtures.ts';

/**
 * Each story with the exit code docs/trace.md gives it: conformant 0, a clause violated 1,
 * undecided (a bound past the end) 3. The last story has no end line, but its missing
 * instance is already past the bound, so it is a violation.
 */
const stories: Array<[string, TraceEvent[], number]> = [
  ['cancel, conformant', cancelStory().events, exitCodes.conformant],
  ['cancel, stuck in CANCELLING (prefect-17792)', cancelStory({ parentCancelledAfterMs: null, subflow: { to: 'RUNNING' }, subflowProcessDeadAfterMs: null, killFailures: 4 }).events, exitCodes.violated],
  ['cancel, cut before the bound', cancelStory({ parentCancelledAfterMs: null, parentProcessDeadAfterMs: 500, endAfterMs: defaultBounds.cancelBoundMs - 1 }).events, exitCodes.inconclusive],
  ['deployment, conformant', deploymentStory().events, exitCodes.conformant],
  ['deployment, backlog deleted (prefect-17764)', deploymentStory({ deleteOnUpdate: [deploymentIds.futureRun, deploymentIds.lateRun] }).events, exitCodes.violated],
  ['terminate, conformant', terminateStory({ listener: 'error-retried', secondTerminate: 'noop' }).events, exitCodes.conformant],
  ['terminate, listener skips the task cancel (conductor-303)', terminateStory({ taskCancelled: false, taskProcessKilled: false, listener: 'error-dropped' }).events, exitCodes.violated],
  ['instance, conformant', instanceStory().events, exitCodes.conformant],
  ['instance, command vanished (dolphinscheduler-16572)', instanceStory({ instances: 0, commandFate: 'vanished-delete' }).events, exitCodes.violated],
  ['instance, no end line', instanceStory({ instances: 0, commandFate: 'left-claimed' }).events.filter((event) => event.kind !== 'end'), exitCodes.violated],
];

function toJsonLines(events: readonly TraceEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n';
}

describe('events → JSON lines → TraceEvent → checkTrace', () => {
  it('covers conformant, violated and inconclusive traces, and all three exit codes', () => {
    const validities = new Set(stories.map(([, events]) => checkTrace(events).valid));
    expect(validities).toEqual(new Set([true, false, 'unknown']));
    expect(new Set(stories.map(([, , exitCode]) => exitCode))).toEqual(new Set([exitCodes.conformant, exitCodes.violated, exitCodes.inconclusive]));
  });

  it.each(stories)('%s: every line parses back to the same event', (_name, events) => {
    const lines = toJsonLines(events).split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(events.length);
    const parsed = lines.map((line) => TraceEvent.parse(JSON.parse(line)));
    expect(parsed).toStrictEqual(events);
    expect(parsed.map((event) => event.seq)).toEqual(events.map((_event, index) => index));
  });

  it.each(stories)('%s: the parsed trace gets the same verdicts', (_name, events) => {
    const parsed = toJsonLines(events)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => TraceEvent.parse(JSON.parse(line)));
    expect(checkTrace(parsed)).toStrictEqual(checkTrace(events));
  });
});

describe('flowconform check on a trace file', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'flowconform-checker-test-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it.each(stories.map(([name, events, expectedExitCode], index) => [name, events, expectedExitCode, index] as const))('%s: readTrace and checkCommand --json agree with checkTrace', async (_name, events, expectedExitCode, index) => {
    const file = path.join(directory, `trace-${index}.jsonl`);
    await writeFile(file, toJsonLines(events));
    expect(await readTrace(file)).toStrictEqual(events);

    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((text: unknown) => void printed.push(String(text)));
    let exitCode: number;
    try {
      exitCode = await checkCommand(file, { json: true });
    } finally {
      log.mockRestore();
    }
    const expected = checkTrace(events);
    expect(JSON.parse(printed.join('\n'))).toEqual({ file, valid: expected.valid, verdicts: expected.verdicts });
    expect(exitCode).toBe(expectedExitCode);
  });
});
