/**
 * Goal: the BullMQ adapter's state table (adapters/bullmq/job-state.ts) speaks the
 * spec's language and says what its README says: every run state it can produce is a
 * name the run machine knows, and the rows that carry a judgement (a dead child process
 * is CRASHED, a cancelled job CANCELLED, a job BullMQ will run again AwaitingRetry) hold.
 *
 * Method: the pure function over every BullMQ state and every combination of the facts
 * it reads; the state names are checked with the spec's own parser. No Redis needed.
 */
import { describe, expect, it } from 'vitest';
import { runStateOf, type JobFacts } from '../../adapters/bullmq/job-state.ts';
import { normaliseRunState } from '../../spec/states.ts';

const bullmqStates = ['active', 'waiting', 'wait', 'prioritized', 'paused', 'delayed', 'waiting-children', 'completed', 'failed'];
const base: JobFacts = { state: 'waiting', attemptsMade: 0, attemptsStarted: 1, stalledCounter: 0, failedReason: null, cancelRequested: false, reportedAttempt: null };

describe('BullMQ job state → run state', () => {
  it('produces only run states the spec knows, for every combination of facts', () => {
    for (const state of bullmqStates) {
      for (const cancelRequested of [false, true]) {
        for (const attemptsMade of [0, 1]) {
          for (const reportedAttempt of [null, 1, 2]) {
            for (const failedReason of [null, 'Unexpected exit code: null signal: SIGKILL', 'work process 7 exited with code 3']) {
              const run = runStateOf({ ...base, state, cancelRequested, attemptsMade, reportedAttempt, failedReason });
              expect(normaliseRunState(run!), `${state} → ${run}`).toBeDefined();
            }
          }
        }
      }
    }
  });

  it('follows the README table on the rows that carry a judgement', () => {
    expect(runStateOf({ ...base, state: 'active' })).toBe('PENDING');
    expect(runStateOf({ ...base, state: 'active', reportedAttempt: 1 })).toBe('RUNNING');
    // Taken again after a stall: the progress of the stalled run names attempt 1, this is 2.
    expect(runStateOf({ ...base, state: 'active', attemptsStarted: 2, stalledCounter: 1, reportedAttempt: 1 })).toBe('PENDING');
    expect(runStateOf({ ...base, state: 'active', reportedAttempt: 1, cancelRequested: true })).toBe('CANCELLING');
    expect(runStateOf({ ...base, state: 'waiting-children' })).toBe('PENDING');
    expect(runStateOf({ ...base, state: 'delayed', attemptsMade: 1 })).toBe('SCHEDULED/AwaitingRetry');
    expect(runStateOf({ ...base, state: 'waiting', stalledCounter: 1 })).toBe('SCHEDULED/AwaitingRetry');
    expect(runStateOf({ ...base, state: 'failed', failedReason: 'Unexpected exit code: null signal: SIGKILL' })).toBe('CRASHED');
    expect(runStateOf({ ...base, state: 'failed', failedReason: 'job stalled more than allowable limit' })).toBe('CRASHED');
    expect(runStateOf({ ...base, state: 'failed', failedReason: 'work process 7 exited with code 3' })).toBe('FAILED');
    expect(runStateOf({ ...base, state: 'failed', failedReason: 'Unexpected exit code: 0 signal: null', cancelRequested: true })).toBe('CANCELLED');
    expect(runStateOf({ ...base, state: 'completed', cancelRequested: true })).toBe('COMPLETED');
    expect(runStateOf({ ...base, state: 'unknown' })).toBeNull();
    expect(() => runStateOf({ ...base, state: 'teleported' })).toThrow(/not in the mapping table/);
  });
});
