/**
 * Goal: the reference engine's side of the protocol (engine/server.ts) answers every
 * request exactly once, with the error codes docs/engine-protocol.md gives, and takes
 * its bug profile through `setup`.
 *
 * Method: an EngineServer in this process, its output lines captured; no processes are
 * started except where a test starts a run, and those are shut down at the end.
 */
import { describe, expect, it } from 'vitest';
import { EngineServer, referenceCapabilities } from '../../engine/server.ts';
import { Capabilities } from '../../protocol/capabilities.ts';
import { isAliveInProc } from '../../os/proc.ts';
import { defaultBounds } from '../../trace/events.ts';

function server(): { server: EngineServer; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { server: new EngineServer((line) => lines.push(JSON.parse(line) as Record<string, unknown>)), lines };
}

let nextId = 1;
function request(op: string, args: Record<string, unknown> = {}): { line: string; id: number } {
  const id = nextId++;
  return { id, line: JSON.stringify({ type: 'request', id, op, deadlineMs: 5_000, args }) };
}

function replyTo(lines: Array<Record<string, unknown>>, id: number): Record<string, unknown> {
  const replies = lines.filter((line) => line.type === 'reply' && line.inReplyTo === id);
  expect(replies, `exactly one reply to ${id}`).toHaveLength(1);
  return replies[0]!;
}

const setupArgs = { platform: 'posix', bounds: defaultBounds, bug: null, seed: 1, consumerOrder: [] };

describe('EngineServer', () => {
  it('declares capabilities that parse, with its ten bug profiles', () => {
    const capabilities = Capabilities.parse(referenceCapabilities());
    expect(capabilities.clock).toBe('driven');
    expect(capabilities.bugs.map((bug) => bug.id)).toEqual(['prefect-17792', 'prefect-17764', 'conductor-303', 'dolphinscheduler-16572', 'bullmq-2979', 'conductor-776', 'prefect-16746', 'dolphinscheduler-13283', 'dolphinscheduler-13355', 'dolphinscheduler-15573']);
  });

  it('answers hello with its name and protocol 1', async () => {
    const { server: engine, lines } = server();
    const hello = request('hello', { protocol: 1 });
    await engine.handleLine(hello.line);
    expect(replyTo(lines, hello.id)).toMatchObject({ ok: true, result: { name: 'flowconform-reference', protocol: 1 } });
  });

  it('refuses an operation before setup (conflict), an unknown bug profile (invalid-arguments) and bad arguments', async () => {
    const { server: engine, lines } = server();
    const early = request('query');
    await engine.handleLine(early.line);
    expect(replyTo(lines, early.id)).toMatchObject({ ok: false, error: { code: 'conflict', definite: true } });

    const badBug = request('setup', { ...setupArgs, bug: 'no-such-bug' });
    await engine.handleLine(badBug.line);
    const refused = replyTo(lines, badBug.id) as { error: { code: string; message: string } };
    expect(refused.error.code).toBe('invalid-arguments');
    expect(refused.error.message).toContain('prefect-17792');

    const setup = request('setup', setupArgs);
    await engine.handleLine(setup.line);
    expect(replyTo(lines, setup.id)).toMatchObject({ ok: true });

    const badArgs = request('cancel-run', { run: 7 });
    await engine.handleLine(badArgs.line);
    expect(replyTo(lines, badArgs.id)).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });

    const unknownRun = request('cancel-run', { run: 'nope' });
    await engine.handleLine(unknownRun.line);
    expect(replyTo(lines, unknownRun.id)).toMatchObject({ ok: false, error: { code: 'not-found', definite: true } });

    const again = request('setup', setupArgs);
    await engine.handleLine(again.line);
    expect(replyTo(lines, again.id)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await engine.close();
  });

  it('pushes transitions as event lines stamped with its logical time, and lists instances with their request', async () => {
    const { server: engine, lines } = server();
    await engine.handleLine(request('setup', setupArgs).line);
    await engine.handleLine(request('advance-clock', { ms: 5_000 }).line);
    await engine.handleLine(request('set-consumers', { count: 1 }).line);
    await engine.handleLine(request('start-process-instance', { requestId: 'req-1' }).line);
    // A master claims the command in one round and makes its instance in a later one.
    for (let round = 0; round < 3; round += 1) await engine.handleLine(request('tick').line);
    const query = request('query');
    await engine.handleLine(query.line);
    const created = lines.find((line) => line.type === 'event' && (line.event as { kind: string; entity?: string }).entity === 'command');
    expect(created).toMatchObject({ timeMs: 5_000, event: { kind: 'transition', entity: 'command', from: null } });
    const { entities } = (replyTo(lines, query.id) as { result: { entities: Array<{ entity: string; requestId?: string }> } }).result;
    expect(entities.filter((view) => view.entity === 'instance').map((view) => view.requestId)).toEqual(['req-1']);
    await engine.close();
  });

  it('reset ends the scenario: processes gone, entities forgotten, clock at 0, ready for setup again', async () => {
    const { server: engine, lines } = server();
    await engine.handleLine(request('setup', setupArgs).line);
    await engine.handleLine(request('advance-clock', { ms: 7_000 }).line);
    await engine.handleLine(request('start-run', { run: 'r1', durationMs: 30_000 }).line);
    const reset = request('reset');
    await engine.handleLine(reset.line);
    expect(replyTo(lines, reset.id)).toMatchObject({ ok: true });
    const spawned = lines.find((line) => line.type === 'event' && (line.event as { kind: string; action?: string }).action === 'spawn') as { event: { pid: number } };
    expect(isAliveInProc(spawned.event.pid), 'the run process is gone after reset').toBe(false);

    const again = request('setup', setupArgs);
    await engine.handleLine(again.line);
    expect(replyTo(lines, again.id)).toMatchObject({ ok: true });
    const query = request('query');
    await engine.handleLine(query.line);
    expect(replyTo(lines, query.id)).toMatchObject({ ok: true, result: { entities: [] } });
    const processes = request('processes');
    await engine.handleLine(processes.line);
    expect(replyTo(lines, processes.id)).toMatchObject({ ok: true, result: { processes: [] } });
    const advance = request('advance-clock', { ms: 1 });
    await engine.handleLine(advance.line);
    expect(replyTo(lines, advance.id)).toMatchObject({ ok: true, result: { timeMs: 1 } });
    await engine.close();
  });
});
