/**
 * Goal: show that LinuxProcessHost and the flow worker behave as the ProcessHost port
 * promises on real Linux processes — process trees start and report themselves, both
 * kill strategies (process group; pid by pid) end a whole tree, a SIGTERM-ignoring worker
 * needs SIGKILL, `signal` fails the documented ways, exit codes come through — and that
 * the /proc stat parser copes with hostile executable names.
 *
 * Method: no mocks. Each test spawns flow-worker.mjs trees under one session id unique
 * to this file, waits for their "started" messages with bounded polls, acts, and reads
 * /proc to check. After each test every process of the session is killed by pid and the
 * test fails if any is still alive after a bounded wait. A zombie (state Z) counts as dead,
 * since pid 1 on the test machine does not reap orphans.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { ProcessHandle, WorkerMessage } from '../../engine/ports/process-host.ts';
import { LinuxProcessHost, workerArguments, workerCommand, type WorkerPlan } from '../../engine/adapters/linux-process-host.ts';
import { LogicalClock } from '../../engine/adapters/logical-clock.ts';
import { isAliveInProc, listProcesses, parseProcessStat, readCommandLine, readProcessStat } from '../../os/proc.ts';

/** A process found by one of its arguments. */
interface ProcessWithArgument {
  pid: number;
  state: string;
  parentPid: number;
  processGroupId: number;
  /** The value after `--owner` in its command line, or null when it has none. */
  owner: string | null;
}

/** The value following `flag` in an argument array (`--flag value` or `--flag=value`), or null. */
function argumentValue(commandLine: string[], flag: string): string | null {
  for (let index = 0; index < commandLine.length; index += 1) {
    const argument = commandLine[index]!;
    if (argument === flag && index + 1 < commandLine.length) return commandLine[index + 1]!;
    if (argument.startsWith(`${flag}=`)) return argument.slice(flag.length + 1);
  }
  return null;
}

/**
 * Every process whose command line holds `flag value` (for example `--session s1`).
 *
 * Zombies do not appear: the kernel empties a zombie's command line, which suits the
 * observer, for which a zombie is dead anyway.
 */
function processesWithArgument(flag: string, value: string): ProcessWithArgument[] {
  const matches: ProcessWithArgument[] = [];
  for (const { pid } of listProcesses()) {
    const commandLine = readCommandLine(pid);
    if (commandLine === null || argumentValue(commandLine, flag) !== value) continue;
    const stat = readProcessStat(pid);
    if (stat === null) continue;
    matches.push({ pid, state: stat.state, parentPid: stat.parentPid, processGroupId: stat.processGroupId, owner: argumentValue(commandLine, '--owner') });
  }
  return matches;
}

/** Bound on waiting for a tree to start and report every process (ms). */
const treeStartMsMax = 5000;
/** Bound on waiting for processes to die after a kill (ms); the brief asks for 3 s. */
const deathMsMax = 3000;
/** How often bounded waits poll (ms). */
const pollIntervalMs = 20;
/** Per-test timeout (ms): above the sum of the bounds a test may wait through. */
const testTimeoutMs = 15_000;
/** Long enough that no worker ends on its own while a test is still acting on it (ms). */
const longDurationMs = 60_000;

const session = `process-host-test-${process.pid}-${Date.now()}`;
const host = new LinuxProcessHost(new LogicalClock());
/** Every pid a test learned about (roots and reported descendants), for the leak check. */
const spawnedPids = new Set<number>();

function sleep(durationMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, durationMs));
}

/**
 * Polls `condition` until it holds.
 * @throws Error naming `description` when it does not hold within `timeoutMs`.
 */
async function waitFor(description: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waitFor: ${description} did not happen within ${timeoutMs} ms`);
    await sleep(pollIntervalMs);
  }
}

function plan(owner: string, durationMs: number, subflows: WorkerPlan[] = [], overrides: Partial<WorkerPlan> = {}): WorkerPlan {
  return { owner, durationMs, exitCode: 0, ignoreSigterm: false, subflows, ...overrides };
}

/** root → child-a, child-b → one grandchild each: five processes, all sleeping `durationMs`. */
function twoLevelTree(durationMs: number): WorkerPlan {
  return plan('root', durationMs, [
    plan('child-a', durationMs, [plan('grandchild-a', durationMs)]),
    plan('child-b', durationMs, [plan('grandchild-b', durationMs)]),
  ]);
}

interface StartedTree {
  handle: ProcessHandle;
  messages: WorkerMessage[];
  /** owner → pid, from the "started" messages. */
  pidsByOwner: Map<string, number>;
}

/** Spawns a worker tree and waits until `expectedProcessCount` processes reported "started". */
async function startTree(workerPlan: WorkerPlan, newProcessGroup: boolean, expectedProcessCount: number): Promise<StartedTree> {
  const messages: WorkerMessage[] = [];
  const pidsByOwner = new Map<string, number>();
  const handle = host.spawn(
    { owner: workerPlan.owner, command: workerCommand().command, args: workerArguments(session, workerPlan), newProcessGroup },
    (message) => {
      messages.push(message);
      if (message.type === 'started') {
        pidsByOwner.set(message.owner, message.pid);
        spawnedPids.add(message.pid);
      }
    },
  );
  spawnedPids.add(handle.pid);
  await waitFor(`${expectedProcessCount} "started" messages from ${workerPlan.owner}`, () => pidsByOwner.size >= expectedProcessCount, treeStartMsMax);
  return { handle, messages, pidsByOwner };
}

/** Pids this file knows of that are still alive: the ones recorded plus any process of the session. */
function livePidsOfSession(): number[] {
  const pids = new Set(spawnedPids);
  for (const found of processesWithArgument('--session', session)) pids.add(found.pid);
  return [...pids].filter((pid) => isAliveInProc(pid));
}

/** Kills leftovers by pid (never by name) and fails when any survives the bound. */
async function killLeftovers(): Promise<void> {
  const leftovers = livePidsOfSession();
  for (const pid of leftovers) host.signal(pid, 'SIGKILL');
  await waitFor(`leftover processes ${leftovers.join(', ')} to die`, () => livePidsOfSession().length === 0, deathMsMax).catch(() => {});
  expect(livePidsOfSession(), 'processes of this test file still alive after SIGKILL').toEqual([]);
  spawnedPids.clear();
}

afterEach(killLeftovers);
afterAll(killLeftovers);

describe('LinuxProcessHost on real processes', () => {
  it('a two-level worker tree reports every process, alive and descended from the root', { timeout: testTimeoutMs }, async () => {
    const { handle, pidsByOwner } = await startTree(twoLevelTree(longDurationMs), false, 5);

    expect([...pidsByOwner.keys()].sort()).toEqual(['child-a', 'child-b', 'grandchild-a', 'grandchild-b', 'root']);
    expect(pidsByOwner.get('root')).toBe(handle.pid);
    for (const pid of pidsByOwner.values()) expect(host.isAlive(pid), `pid ${pid} alive`).toBe(true);
    // Each grandchild's parent, as /proc records it, is the child that planned it.
    expect(readProcessStat(pidsByOwner.get('grandchild-a')!)?.parentPid).toBe(pidsByOwner.get('child-a'));
    expect(readProcessStat(pidsByOwner.get('child-b')!)?.parentPid).toBe(handle.pid);

    const descendants = host.descendants(handle.pid);
    const nonRootPids = [...pidsByOwner].filter(([owner]) => owner !== 'root').map(([, pid]) => pid);
    expect([...descendants].sort()).toEqual([...nonRootPids].sort());
    // Deepest first: both grandchildren come before both children.
    const grandchildPids = [pidsByOwner.get('grandchild-a'), pidsByOwner.get('grandchild-b')];
    expect(descendants.slice(0, 2).sort()).toEqual(grandchildPids.sort());

    // The observer's view: the session marker finds the same five processes with their owners.
    const observed = processesWithArgument('--session', session);
    expect(new Map(observed.map((found) => [found.owner, found.pid]))).toEqual(pidsByOwner);
    // What an engine started again on its data finds of what a crash left: the same five, with group and owner.
    const workers = host.sessionWorkers(session);
    expect(new Map(workers.map((worker) => [worker.owner, worker.pid]))).toEqual(pidsByOwner);
    for (const worker of workers) expect(worker.processGroupId).toBe(readProcessStat(worker.pid)?.processGroupId);
    expect(host.sessionWorkers(`${session}-other`), 'another session finds none of them').toEqual([]);
  });

  it('posix strategy: SIGTERM to the process group ends all five processes', { timeout: testTimeoutMs }, async () => {
    const { handle, pidsByOwner } = await startTree(twoLevelTree(longDurationMs), true, 5);
    expect(readProcessStat(handle.pid)?.processGroupId, 'root leads its own group').toBe(handle.pid);

    expect(host.signal(-handle.pid, 'SIGTERM')).toBe(true);

    const pids = [...pidsByOwner.values()];
    await waitFor('all five processes to exit after group SIGTERM', () => pids.every((pid) => !host.isAlive(pid)), deathMsMax);
    // The root handles SIGTERM itself (forwards it, waits for children), so it exits with 143, not by signal.
    expect(await handle.exited).toEqual({ code: 143, signal: null });
  });

  it('a worker ignoring SIGTERM survives it and dies on SIGKILL to the group', { timeout: testTimeoutMs }, async () => {
    const stubborn = plan('root', longDurationMs, [plan('child', longDurationMs, [], { ignoreSigterm: true })], { ignoreSigterm: true });
    const { handle, pidsByOwner } = await startTree(stubborn, true, 2);
    const pids = [...pidsByOwner.values()];

    expect(host.signal(-handle.pid, 'SIGTERM')).toBe(true);
    await sleep(300);
    for (const pid of pids) expect(host.isAlive(pid), `pid ${pid} alive 300 ms after SIGTERM`).toBe(true);

    expect(host.signal(-handle.pid, 'SIGKILL')).toBe(true);
    await waitFor('both processes to die after group SIGKILL', () => pids.every((pid) => !host.isAlive(pid)), deathMsMax);
    expect(await handle.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('win32 strategy emulation: SIGKILL each descendant by pid, then the root', { timeout: testTimeoutMs }, async () => {
    const { handle, pidsByOwner } = await startTree(twoLevelTree(longDurationMs), false, 5);

    const descendants = host.descendants(handle.pid);
    expect(descendants).toHaveLength(4);
    for (const pid of descendants) expect(host.signal(pid, 'SIGKILL')).toBe(true);
    expect(host.signal(handle.pid, 'SIGKILL')).toBe(true);

    const pids = [...pidsByOwner.values()];
    await waitFor('all five processes to die after pid-by-pid SIGKILL', () => pids.every((pid) => !host.isAlive(pid)), deathMsMax);
    expect(await handle.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('signal rejects a ChildProcess with Node\'s TypeError and reports a reaped pid as gone', { timeout: testTimeoutMs }, async () => {
    const { handle } = await startTree(plan('root', longDurationMs), false, 1);

    let thrown: unknown;
    try {
      host.signal(handle.child as ChildProcess as unknown as number, 'SIGKILL');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as NodeJS.ErrnoException).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(host.isAlive(handle.pid), 'the failed call signalled nothing').toBe(true);

    const finished = await startTree(plan('finished', 0), false, 1);
    await finished.handle.exited;
    // `exited` resolves only after Node reaped the process, so its pid no longer exists.
    expect(readProcessStat(finished.handle.pid)).toBeNull();
    expect(host.signal(finished.handle.pid, 'SIGTERM')).toBe(false);
  });

  it('a worker that sleeps 100 ms and exits with code 3 resolves exited with code 3', { timeout: testTimeoutMs }, async () => {
    const startedAt = Date.now();
    const { handle } = await startTree(plan('root', 100, [], { exitCode: 3 }), false, 1);
    expect(await handle.exited).toEqual({ code: 3, signal: null });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(100);
    expect(host.isAlive(handle.pid)).toBe(false);
  });

  // The pipe is usually drained before 'exit' anyway, so this cannot force the ordering
  // `exited` guarantees; it checks the relay: a child's "exited" line, with its code, arrives.
  it('a worker relays its child\'s "exited" line with the child\'s exit code', { timeout: testTimeoutMs }, async () => {
    const { handle, messages } = await startTree(plan('root', 50, [plan('child', 50, [], { exitCode: 7 })]), false, 2);
    await handle.exited;
    expect(messages).toContainEqual(expect.objectContaining({ type: 'exited', owner: 'child', code: 7, signal: null }));
  });
});

describe('proc readers', () => {
  it('parseProcessStat splits after the last ")" when the name contains ") ("', () => {
    const line = '4242 (evil) (name) S 17 4240 4240 0 -1 4194560 91 0 0 0 0 0 0 0 20 0 1 0 123 1000 10 1 1 1 1\n';
    expect(parseProcessStat(line)).toEqual({ pid: 4242, commandName: 'evil) (name', state: 'S', parentPid: 17, processGroupId: 4240 });
  });

  it('parseProcessStat throws on text that is not a stat line', () => {
    expect(() => parseProcessStat('not a stat line')).toThrow(/parseProcessStat/);
  });

  it('readProcessStat reads this process: its parent is process.ppid', () => {
    const stat = readProcessStat(process.pid);
    expect(stat?.pid).toBe(process.pid);
    expect(stat?.parentPid).toBe(process.ppid);
    expect(stat?.state).not.toBe('Z');
  });
});
