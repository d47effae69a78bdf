/**
 * Goal: the observer's /proc lines say until when a process was seen alive, though they
 * record changes only (harness/runner/observer.ts, `seenAliveWallMs`): a death line
 * carries the last read that found the process alive, not the read that found it dead,
 * and a line of the last sweep carries the last read before it. RUN-CANCEL-02 needs that
 * to tell a process seen alive after its deadline from one whose death was read late.
 *
 * Method: an Observer writing into a TraceRecorder, fed hand-made /proc snapshots with
 * the wall time of each read. The pids are above Linux's largest pid (2^22), so the
 * observer's own second look in /proc for a process missing from a snapshot finds it gone.
 */
import { describe, expect, it } from 'vitest';
import { Observer } from '../../harness/runner/observer.ts';
import { TraceRecorder } from '../../harness/runner/trace-recorder.ts';
import type { ProcessStat } from '../../os/proc.ts';
import type { ObserveProcessEvent } from '../../trace/events.ts';

/** Above pid_max on any Linux (at most 2^22): never a live process. */
const pid = 4_194_400;

const stat = (state = 'S'): ProcessStat => ({ pid, commandName: 'node', state, parentPid: 1, processGroupId: pid });

function processLines(trace: TraceRecorder): ObserveProcessEvent[] {
  return trace.events.filter((event): event is ObserveProcessEvent => event.kind === 'observe-process');
}

describe('Observer: until when a process was seen alive', () => {
  it('a birth line carries its read, a death line the last read that found it alive', () => {
    const trace = new TraceRecorder();
    const observer = new Observer(trace);
    observer.learnOwners([{ pid, owner: 'run-a' }]);
    observer.observeProcesses([stat()], 'poll', false, 100);
    observer.observeProcesses([stat()], 'poll', false, 120);
    observer.observeProcesses([stat()], 'poll', false, 140);
    expect(processLines(trace), 'unchanged reads write nothing').toHaveLength(1);
    observer.observeProcesses([], 'poll', false, 460);
    const [birth, death] = processLines(trace);
    expect(birth).toMatchObject({ pid, owner: 'run-a', alive: true, seenAliveWallMs: 100 });
    expect(death).toMatchObject({ pid, owner: 'run-a', alive: false, seenAliveWallMs: 140 });
  });

  it('the last sweep of every process carries the last read before it', () => {
    const trace = new TraceRecorder();
    const observer = new Observer(trace);
    observer.learnOwners([{ pid, owner: 'run-a' }]);
    observer.observeProcesses([stat()], 'poll', false, 100);
    observer.observeProcesses([stat()], 'poll', false, 5_000);
    observer.observeProcesses([], 'scenario-end', true, 5_200);
    expect(processLines(trace).at(-1)).toMatchObject({ pid, alive: false, seenAliveWallMs: 5_000, reason: 'scenario-end' });
  });
});
