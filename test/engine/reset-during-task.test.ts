/**
 * Goal: a pooled reference engine survives a `reset` that comes while a workflow task
 * ends on its own. Such an exit, heard during the teardown `reset` does, used to start
 * the workflow's next task after teardown had taken its list of processes to kill: that
 * process outlived the reset, and its exit, in the next scenario, wrote to the store
 * `reset` had closed, so the engine exited (`Workflows.onTaskExit` → `moveTask`: "The
 * database connection is not open"), typically during the next `setup`.
 *
 * Method: a real engine process (dist/) with a data folder, as the harness runs one. A
 * workflow's first task (300 ms) is IN_PROGRESS; the engine is stopped (SIGSTOP), `reset`
 * is written to its stdin, and the engine is continued once the task has exited (a
 * zombie: a stopped engine cannot reap it). So the engine hears of that exit while
 * `reset` is killing the task processes. The second task would live longer than
 * teardown waits (killWaitMsMax). After the reset no process of the session but the
 * engine is alive; a new `setup` is answered, and the engine still answers once the
 * second task would have ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { isAliveInProc } from '../../os/proc.ts';
import { newSessionMarker } from '../../os/session-marker.ts';
import { killWaitMsMax } from '../../trace/events.ts';
import { livePidsOfSession } from '../harness/session-processes.ts';
import { EngineDriver, killSession, setupArgs } from './engine-driver.ts';

/** How long the test waits for the first task to exit while the engine is stopped (ms). */
const taskExitWaitMsMax = 5_000;
/** The second task's life (ms): longer than teardown waits for a process to die. */
const secondTaskMs = killWaitMsMax + 500;

const session = newSessionMarker();
const folders: string[] = [];
let engine: EngineDriver | null = null;

function freshFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'fc-reset-test-'));
  folders.push(folder);
  return folder;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  if (engine && engine.child.exitCode === null && engine.child.signalCode === null) {
    process.kill(engine.pid, 'SIGCONT');
    await engine.shutdown();
  }
  expect(await killSession(session), `processes of ${session} still alive`).toEqual([]);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

it('reset while a task ends on its own: no process is left, and the engine keeps serving the next setup', async () => {
  const driver = new EngineDriver(session);
  engine = driver;
  await driver.start(freshFolder());
  await driver.ok('start-workflow', {
    workflow: 'w1',
    tasks: [
      { task: 't1', durationMs: 300 },
      { task: 't2', durationMs: secondTaskMs },
    ],
    listeners: [],
  });
  await driver.waitFor(() => driver.stateOf('task', 't1') === 'IN_PROGRESS', 't1 IN_PROGRESS');
  const first = driver.events().find((event) => event.action === 'spawn' && event.owner === 't1') as { pid: number } | undefined;
  expect(first, 't1 spawn event').toBeDefined();

  process.kill(driver.pid, 'SIGSTOP');
  const reset = driver.sendAll([{ op: 'reset' }]).replies;
  const waitStartedMs = Date.now();
  while (isAliveInProc(first!.pid) && Date.now() - waitStartedMs < taskExitWaitMsMax) await sleep(20);
  expect(isAliveInProc(first!.pid), 't1 exited while the engine was stopped').toBe(false);
  process.kill(driver.pid, 'SIGCONT');
  const [resetReply] = await reset;
  expect(resetReply).toMatchObject({ ok: true });
  expect(
    livePidsOfSession(session).filter((pid) => pid !== driver.pid),
    'no task process outlives the reset',
  ).toEqual([]);

  await driver.ok('setup', setupArgs(freshFolder()));
  await sleep(secondTaskMs + 500);
  expect(await driver.ok('query')).toMatchObject({ entities: [] });
  expect(driver.child.exitCode, `the engine is still running; stderr: ${driver.stderr.slice(-600)}`).toBeNull();
  await driver.shutdown();
}, 20_000);
