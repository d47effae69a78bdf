/**
 * Goal: someone writing a trace for another engine gets what they need from the command
 * line. `flowconform spec` prints each machine's states, named sub-states, final states
 * and legal moves (as text, and as JSON that matches the machines the checker uses) and
 * the causes; `flowconform check` judges a hand-written trace that starts with a
 * two-field meta line and writes no run attributes, names a misspelt state with the
 * nearest known one (exit 1), and refuses a cause outside the list naming the nearest
 * (exit 2).
 * Method: `main(argv)` in this process, its output captured by spying on console.log,
 * console.error and process.stdout.write; trace files in a temporary directory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../support/run-main.ts';
import type { SpecDocument } from '../../harness/cli/commands/spec.ts';
import { transitionTable } from '../../spec/transitions.ts';
import { entityKinds, transitionCauses } from '../../trace/events.ts';

describe('flowconform spec --json', () => {
  it('prints every machine as the checker sees it, and the causes', async () => {
    const { code, stdout } = await runMain(['spec', '--json']);
    expect(code).toBe(0);
    const document = JSON.parse(stdout) as SpecDocument;
    expect(document.machines.map((machine) => machine.kind)).toEqual([...entityKinds]);
    for (const machine of document.machines) {
      const table = transitionTable(machine.kind);
      expect(machine.states).toEqual(table.states);
      expect(machine.final.sort()).toEqual([...table.terminal].sort());
      const edgeCount = [...table.edges.values()].reduce((count, targets) => count + targets.size, 0);
      expect(machine.moves).toHaveLength(edgeCount);
    }
    const run = document.machines.find((machine) => machine.kind === 'run')!;
    expect(run.subStates.find((entry) => entry.type === 'RUNNING')?.names).toEqual(['Running', 'Retrying']);
    expect(run.moves).toContainEqual({ from: 'CANCELLING', to: 'CANCELLED', events: ['CONFIRM_CANCELLED'] });
    expect(Object.keys(document.transitionCauses)).toEqual(transitionCauses);
    expect(document.deleteCauses.engine).toMatch(/None of the above fits/);
  });
});

describe('flowconform spec', () => {
  it('prints a block per machine, readable in a terminal', async () => {
    const { code, stdout } = await runMain(['spec']);
    expect(code).toBe(0);
    for (const kind of entityKinds) expect(stdout).toMatch(new RegExp(`^${kind}: `, 'm'));
    expect(stdout).toMatch(/^ {4}SCHEDULED: Scheduled, Late, AwaitingRetry, AwaitingConcurrencySlot, Resuming$/m);
    expect(stdout).toMatch(/^ {2}final: COMPLETED, FAILED, CANCELLED, CRASHED$/m);
    expect(stdout).toMatch(/^ {4}CANCELLING +→ CANCELLED$/m);
    expect(stdout).toMatch(/^ {2}engine +None of the above fits/m);
  });
});

describe('flowconform check on a hand-written trace', () => {
  let workDir = '';
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'flowconform-spec-test-'));
  });
  afterAll(async () => {
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  });

  /** Writes the lines, stamping `seq` and times, and runs `check` on them. */
  async function check(name: string, lines: Array<Record<string, unknown>>) {
    const file = path.join(workDir, `${name}.jsonl`);
    await writeFile(file, lines.map((line, seq) => JSON.stringify({ seq, timeMs: 0, wallMs: seq, ...line })).join('\n') + '\n');
    return runMain(['check', file]);
  }

  const meta = { kind: 'meta', scenario: 'by-hand', engine: 'my-engine 0.1' };
  const run = (from: string | null, to: string, cause: string) => ({ kind: 'transition', entity: 'run', id: 'run-1', parentId: null, from, to, cause });

  it("is conformant with a two-field meta line, no run attributes and Prefect's full default names (exit 0)", async () => {
    const { code, stdout } = await check('conformant', [
      meta,
      run(null, 'PENDING/Pending', 'execute'),
      run('PENDING/Pending', 'RUNNING/Running', 'process-started'),
      run('RUNNING/Running', 'COMPLETED', 'process-exited'),
      { kind: 'end', outcome: 'completed' },
    ]);
    expect(stdout).toContain('conformant');
    expect(code).toBe(0);
  });

  it('names a misspelt state with the nearest known one (exit 1)', async () => {
    const { code, stdout } = await check('misspelt', [
      meta,
      run(null, 'PENDING', 'execute'),
      run('PENDING', 'RUNNING', 'process-started'),
      run('RUNNING', 'COMPLETE', 'process-exited'),
      { kind: 'end', outcome: 'completed' },
    ]);
    expect(code).toBe(1);
    expect(stdout).toContain("seq 3: run run-1 wrote 'COMPLETE', a state name the run machine does not know (nearest known: 'COMPLETED'");
  });

  it('refuses a cause outside the list as invalid input, naming the line and the nearest cause (exit 2)', async () => {
    const { code, stderr } = await check('bad-cause', [meta, run(null, 'PENDING', 'started-by-hand'), { kind: 'end', outcome: 'completed' }]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad-cause\.jsonl:2: cause: unknown transition cause 'started-by-hand' \(nearest known: '[a-z-]+'\)/);
  });
});
