/**
 * Goal: the reference engine with a data folder keeps its promises (docs/architecture.md
 * "Durability and recovery"):
 * - group commit: a reply goes out only after what it acknowledges is committed, so a
 *   SIGKILL right after a reply never loses it; the replies of a burst come in request
 *   order;
 * - recovery, when a new engine process is set up on a crashed one's folder: the workers
 *   it left behind are killed; a run whose process is gone is CRASHED, a cancelling one
 *   CANCELLED; a task that lost its worker FAILED with its workflow; a terminate
 *   acknowledged before the crash keeps its tasks cancelled and its failed listener call
 *   is retried; every acknowledged command yields exactly one instance; the logical
 *   clock, the deployments, the command numbers and the faults go on where they were; a
 *   claimed command is finished or released, never consumed twice.
 *
 * Method: real engine processes (dist/, built by the global setup) on a temporary folder,
 * SIGKILLed as the harness's crash does, and started again with the same session marker;
 * states read from the pushed transitions and the query API, processes from /proc by the
 * session marker. One in-process EngineServer checks, from a second SQLite connection,
 * that each reply's command row is committed when the reply is written. Every process of
 * every session is killed and checked dead at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LogicalClock } from '../../engine/adapters/logical-clock.ts';
import { SqliteStore, sqliteFileName } from '../../engine/adapters/sqlite-store.ts';
import { commandsTable, instancesTable, type CommandRow, type InstanceRow } from '../../engine/instances/command-rows.ts';
import type { PushedEvent } from '../../protocol/messages.ts';
import { ReferenceEngine } from '../../engine/reference-engine.ts';
import { EngineServer } from '../../engine/server.ts';
import { newSessionMarker } from '../../os/session-marker.ts';
import { isAliveInProc } from '../../os/proc.ts';
import { defaultBounds } from '../../trace/events.ts';
import { livePidsOfSession } from '../harness/session-processes.ts';
import { EngineDriver, killSession, setupArgs } from './engine-driver.ts';

const folders: string[] = [];
const sessions: string[] = [];
const engines: EngineDriver[] = [];

function freshFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'fc-durable-test-'));
  folders.push(folder);
  return folder;
}

function freshSession(): string {
  const session = newSessionMarker();
  sessions.push(session);
  return session;
}

function engineFor(session: string): EngineDriver {
  const engine = new EngineDriver(session);
  engines.push(engine);
  return engine;
}

afterEach(async () => {
  for (const engine of engines.splice(0)) if (engine.child.exitCode === null && engine.child.signalCode === null) await engine.crash();
  for (const session of sessions.splice(0)) expect(await killSession(session), `processes of ${session} still alive`).toEqual([]);
});

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Live processes of the session other than the engine process itself. */
function workersOf(session: string, engine: EngineDriver | null): number[] {
  return livePidsOfSession(session).filter((pid) => pid !== engine?.pid);
}

describe('group commit', () => {
  it('a reply is written only once its command row is committed (read by a second connection at that moment)', async () => {
    const folder = freshFolder();
    let reader: Database.Database | null = null;
    const uncommittedAtReply: string[] = [];
    const replies: Array<{ id: number; commandId: string }> = [];
    const server = new EngineServer((line) => {
      const message = JSON.parse(line) as { type: string; inReplyTo?: number; ok?: boolean; result?: { commandId?: string } };
      if (message.type !== 'reply' || message.result?.commandId === undefined) return;
      reader ??= new Database(path.join(folder, sqliteFileName), { readonly: true });
      const found = reader.prepare('SELECT 1 FROM "t_t_ds_command" WHERE id = ?').get(message.result.commandId);
      if (!found) uncommittedAtReply.push(message.result.commandId);
      replies.push({ id: message.inReplyTo!, commandId: message.result.commandId });
    });
    const request = (id: number, op: string, args: Record<string, unknown>) => JSON.stringify({ type: 'request', id, op, deadlineMs: 5_000, args });
    await server.handleLine(request(1, 'setup', setupArgs(folder)));
    server.flush();
    // One "chunk": every line handled in the same turn, committed together.
    const handled = Array.from({ length: 200 }, (_, index) => server.handleLine(request(index + 2, 'start-process-instance', { requestId: `req-${index + 1}` })));
    await Promise.all(handled);
    expect(replies, 'no reply before the turn ends and the batch is committed').toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(replies).toHaveLength(200);
    expect(uncommittedAtReply).toEqual([]);
    expect(replies.map((reply) => reply.id), 'replies in request order').toEqual(Array.from({ length: 200 }, (_, index) => index + 2));
    (reader as Database.Database | null)?.close();
    await server.close();
  });

  it('SIGKILL right after a reply: every acknowledged command is in the file, and the engine started again shows each', async () => {
    const folder = freshFolder();
    const session = freshSession();
    const engine = engineFor(session);
    await engine.start(folder);
    const acknowledged: string[] = [];
    const killAfter = 300;
    engine.onLine((line) => {
      if (line.type !== 'reply' || !line.ok || typeof line.result?.commandId !== 'string') return;
      acknowledged.push(line.result.commandId);
      // Synchronously, in the line handler: no later line is waited for.
      if (acknowledged.length === killAfter) engine.child.kill('SIGKILL');
    });
    engine.sendAll(Array.from({ length: 3_000 }, (_, index) => ({ op: 'start-process-instance', args: { requestId: `req-${index + 1}` } }))).replies.catch(() => undefined);
    await engine.exited;
    expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter);

    const file = new Database(path.join(folder, sqliteFileName), { readonly: true });
    const stored = new Set((file.prepare('SELECT id FROM "t_t_ds_command"').all() as Array<{ id: string }>).map((each) => each.id));
    expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
    file.close();
    expect(acknowledged.filter((id) => !stored.has(id)), 'acknowledged but not stored').toEqual([]);

    const again = engineFor(session);
    await again.start(folder);
    const { entities } = (await again.ok('query')) as { entities: Array<{ entity: string; id: string }> };
    const shown = new Set(entities.filter((view) => view.entity === 'command').map((view) => view.id));
    expect(acknowledged.filter((id) => !shown.has(id))).toEqual([]);
    await again.shutdown();
  });
});

describe('recovery after a crash', () => {
  it('kills what the crash left, settles runs, tasks, workflows and commands, and goes on where it was', async () => {
    const folder = freshFolder();
    const session = freshSession();
    // A long grace period: the kills of the cancel and of the terminate (SIGTERM, which the
    // workers ignore, then SIGKILL after the grace) are surely still under way at the crash.
    const longGrace = { bounds: { ...defaultBounds, graceMs: 10_000 } };
    const first = engineFor(session);
    await first.start(folder, longGrace);
    await first.ok('advance-clock', { ms: 5_000 });
    await first.ok('deploy', { deployment: 'd1', intervalMs: 60_000, retries: 0, retryDelayMs: 0, scheduleAheadCount: 1, run: { durationMs: 100, exitCodes: [0], ignoreSigterm: false } });
    await first.ok('start-run', { run: 'r1', durationMs: 60_000, subflows: [{ name: 'a', durationMs: 60_000 }] });
    await first.ok('start-run', { run: 'r2', durationMs: 60_000, ignoreSigterm: true });
    await first.ok('start-workflow', { workflow: 'w1', tasks: [{ task: 't1', durationMs: 60_000 }], listeners: ['archive'] });
    await first.ok('start-workflow', { workflow: 'w2', tasks: [{ task: 't2', durationMs: 60_000, ignoreSigterm: true }], listeners: ['archive'] });
    await first.waitFor(() => first.stateOf('run', 'r1.a') === 'RUNNING' && first.stateOf('run', 'r2') === 'RUNNING', 'r1.a and r2 RUNNING');
    // r2 ignores SIGTERM: its cancel waits out the grace period, and the crash comes first.
    expect(await first.ok('cancel-run', { run: 'r2' })).toEqual({ state: 'CANCELLING' });
    await first.ok('set-fault', { fault: 'archive-listener', active: true });
    await first.ok('terminate-workflow', { workflow: 'w2', reason: 'before the crash' });
    const requests = Array.from({ length: 20 }, (_, index) => `req-${index + 1}`);
    for (const requestId of requests) await first.ok('start-process-instance', { requestId });
    // On a loaded machine a task's process may not have started its worker yet: wait for all five.
    await first.waitFor(() => workersOf(session, first).length >= 5, 'r1, r1.a, r2, t1, t2 alive');
    const before = workersOf(session, first);
    await first.crash();
    expect(workersOf(session, null).length, 'the crash leaves the workers behind').toBe(before.length);

    const second = engineFor(session);
    const hello = await second.ok('hello', { protocol: 1 });
    expect(hello).toMatchObject({ capabilities: { restart: true } });
    await second.ok('setup', setupArgs(folder, longGrace));
    expect(workersOf(session, second), 'no worker of the crashed engine is left after setup').toEqual([]);
    for (const pid of before) expect(isAliveInProc(pid)).toBe(false);
    const killed = second.events().filter((event) => event.kind === 'process' && event.action === 'signal' && event.signal === 'SIGKILL').map((event) => event.owner);
    expect(new Set(killed)).toEqual(new Set(['r1', 'r1.a', 'r2', 't1', 't2']));

    const recovery = second.transitions().filter((event) => event.cause === 'recovery').map((event) => `${event.entity} ${event.id} ${event.from}→${event.to}`);
    expect(recovery).toEqual(
      expect.arrayContaining(['run r2 CANCELLING→CANCELLED', 'run r1 RUNNING→CRASHED', 'run r1.a RUNNING→CRASHED', 'task t1 IN_PROGRESS→FAILED', 'workflow w1 RUNNING→FAILED']),
    );
    const { entities } = (await second.ok('query')) as { entities: Array<{ entity: string; id: string; state: string }> };
    const state = (entity: string, id: string) => entities.find((view) => view.entity === entity && view.id === id)?.state;
    expect(state('workflow', 'w2')).toBe('TERMINATED');
    expect(state('task', 't2'), 'the acknowledged terminate keeps its task cancelled').toBe('CANCELED');
    expect(entities.filter((view) => view.entity === 'command')).toHaveLength(20);

    // The logical clock, the deployment and the command numbers go on where they were.
    expect(await second.ok('advance-clock', { ms: 0 })).toEqual({ timeMs: 5_000 });
    expect(await second.ok('deploy', { deployment: 'd1', intervalMs: 60_000, retries: 0, retryDelayMs: 0, scheduleAheadCount: 1, run: { durationMs: 100, exitCodes: [0], ignoreSigterm: false } })).toMatchObject({ created: false });
    expect(await second.ok('start-process-instance', { requestId: 'req-21' })).toEqual({ commandId: 'cmd-21' });
    requests.push('req-21');

    // The failed archive call of the terminate is retried once the fault (kept across the restart) is cleared.
    await second.ok('set-fault', { fault: 'archive-listener', active: false });
    const archived = () => second.events().some((event) => event.kind === 'side-effect' && event.target === 'w2' && event.outcome === 'ok');
    // The engine is passive: due retries run on tick, which the harness sends every 20 ms.
    for (let ticks = 0; ticks < 100 && !archived(); ticks += 1) {
      await second.ok('tick');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(archived(), 'the archive listener of w2 succeeded').toBe(true);
    const attempts = second.events().filter((event) => event.kind === 'side-effect' && event.target === 'w2').map((event) => event.attempt);
    expect(attempts[0], 'the retry goes on from the attempt the crashed engine had reached').toBe(2);

    // Every acknowledged creation, before and after the crash, yields exactly one instance.
    await second.ok('set-consumers', { count: 2 });
    for (let round = 0; round < 3; round += 1) await second.ok('tick');
    const after = ((await second.ok('query')) as { entities: Array<{ entity: string; requestId?: string }> }).entities;
    const instances = after.filter((view) => view.entity === 'instance').map((view) => view.requestId).sort();
    expect(instances).toEqual([...requests].sort());
    expect(after.filter((view) => view.entity === 'command')).toEqual([]);
    await second.shutdown();
    expect(workersOf(session, null)).toEqual([]);
  });

  it('a claimed command is finished when its instance exists and released when not: never a second instance', async () => {
    const folder = freshFolder();
    const session = freshSession();
    const events: PushedEvent[] = [];
    const trace = { emit: (event: PushedEvent) => void events.push(event) };
    const store = new SqliteStore(folder);
    const engine = new ReferenceEngine({ clock: new LogicalClock(), trace, store, platform: 'posix', session });
    for (const requestId of ['req-1', 'req-2']) expect(engine.startProcessInstance(requestId)).toMatchObject({ ok: true });
    // As a master that died between its steps would leave them: cmd-1 claimed with no
    // instance; cmd-2 claimed with its instance made, the row not yet deleted.
    const commands = store.table<CommandRow>(commandsTable);
    commands.update({ ...commands.get('cmd-1')!, state: 'CLAIMED' });
    commands.update({ ...commands.get('cmd-2')!, state: 'CLAIMED' });
    store.table<InstanceRow>(instancesTable).insert({ id: 'instance-2', parentId: null, state: 'SUBMITTED_SUCCESS', requestId: 'req-2', commandId: 'cmd-2' });
    store.commit();
    store.close();

    events.length = 0;
    const reopened = new SqliteStore(folder);
    const recovered = new ReferenceEngine({ clock: new LogicalClock(), trace, store: reopened, platform: 'posix' });
    expect(recovered.recovering).toBe(true);
    expect(recovered.session, 'the stored session marker is kept').toBe(session);
    await recovered.recover();
    const moves = events.filter((event) => event.kind === 'transition').map((event) => `${event.id} ${event.from}→${event.to} ${event.cause}`);
    expect(moves).toEqual(['cmd-1 CLAIMED→CREATED recovery', 'cmd-2 CLAIMED→CONSUMED recovery']);
    recovered.setConsumers(1);
    recovered.tick();
    recovered.tick();
    expect([...recovered.instancesByRequest()].sort()).toEqual([
      ['req-1', ['instance-1']],
      ['req-2', ['instance-2']],
    ]);
    await recovered.close();
    reopened.close();
  });

  it('with no data folder nothing is kept: a second engine starts empty at time 0', async () => {
    const session = freshSession();
    const first = engineFor(session);
    await first.start(null);
    await first.ok('advance-clock', { ms: 1_000 });
    await first.ok('start-process-instance', { requestId: 'req-1' });
    await first.crash();
    const second = engineFor(session);
    await second.start(null);
    expect(await second.ok('query')).toEqual({ entities: [] });
    expect(await second.ok('advance-clock', { ms: 0 })).toEqual({ timeMs: 0 });
    await second.shutdown();
  });
});
