/**
 * From what BullMQ stores about a job to the run state the harness reads (Prefect's
 * names, `flowconform spec`). Pure: every input is read from BullMQ (`getState`,
 * `attemptsMade`, `stalledCounter`, `failedReason`, the job's data and progress); the
 * adapter keeps no state of its own. The table, with the reason for each row, is in
 * adapters/bullmq/README.md; keep the two in step.
 */

/** BullMQ's job states (`Job.getState()`), `unknown` for a job that is gone. */
export type BullmqState = 'active' | 'waiting' | 'wait' | 'prioritized' | 'paused' | 'delayed' | 'waiting-children' | 'completed' | 'failed' | 'unknown';

/** What BullMQ says about one job, as the mapping needs it. */
export interface JobFacts {
  state: BullmqState | string;
  /** Attempts that ended (BullMQ `attemptsMade`). */
  attemptsMade: number;
  /**
   * Times a worker took the job (BullMQ `attemptsStarted`, counted on every move to
   * active, also after a stall, which `attemptsMade` does not count): names the current attempt.
   */
  attemptsStarted: number;
  /** Times the job was found stalled and moved back to wait (BullMQ `stalledCounter`). */
  stalledCounter: number;
  failedReason: string | null;
  /** The adapter's cancel was recorded on the job (its data's `cancelRequested`). */
  cancelRequested: boolean;
  /** The attempt (its `attemptsStarted`) whose processes the processor reported through `job.updateProgress`, or null. */
  reportedAttempt: number | null;
}

/** BullMQ's failedReason when a sandboxed job's child process exited (sandbox.js exit handler). */
const processExitReason = /^Unexpected exit code/;
/** BullMQ's failedReason when a job stalled more often than maxStalledCount. */
const stalledReason = /stalled more than allowable limit/;

/**
 * The run state of a job, or null when BullMQ no longer has it.
 * @throws Error for a BullMQ state this table does not know (a new BullMQ version): the
 *   adapter reports it as an internal error rather than guess.
 */
export function runStateOf(job: JobFacts): string | null {
  switch (job.state) {
    case 'unknown':
      return null;
    case 'active':
      if (job.cancelRequested) return 'CANCELLING';
      return job.reportedAttempt === job.attemptsStarted ? 'RUNNING' : 'PENDING';
    case 'waiting-children':
      return job.cancelRequested ? 'CANCELLING' : 'PENDING';
    case 'waiting':
    case 'wait':
    case 'prioritized':
    case 'paused':
    case 'delayed':
      if (job.cancelRequested) return 'CANCELLING';
      return job.attemptsMade > 0 || job.stalledCounter > 0 ? 'SCHEDULED/AwaitingRetry' : 'SCHEDULED';
    case 'completed':
      return 'COMPLETED';
    case 'failed':
      if (job.cancelRequested) return 'CANCELLED';
      if (processExitReason.test(job.failedReason ?? '') || stalledReason.test(job.failedReason ?? '')) return 'CRASHED';
      return 'FAILED';
    default:
      throw new Error(`runStateOf: BullMQ state '${job.state}' is not in the mapping table (adapters/bullmq/README.md)`);
  }
}
