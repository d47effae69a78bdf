/**
 * The checker: a pure function of the history. Each clause of the inventory has one
 * checker; one that throws gives 'unknown' with the error, never a silent pass.
 */
import { clauses } from '../../spec/clauses/registry.ts';
import type { TraceEvent } from '../../trace/events.ts';
import { combineValidity, type ClauseVerdict, type Validity } from '../result.ts';
import { terminalWorkflowArchived } from './archive.ts';
import { backlogExecuted, concurrencyLimitHeld, oneRunPerSlot, retriesFollowed, updateDeletesOnlyFutureScheduled } from './deployment.ts';
import { unmetExpectations } from './expectations.ts';
import { History } from './history.ts';
import { lateOnlyAfterThreshold } from './late-runs.ts';
import { pausedWorkersTakeNoRuns } from './paused-workers.ts';
import { scheduleAheadHeld } from './schedule-ahead.ts';
import { ackAfterDurableCommand, acknowledgedBeforeCrashYieldsOne, acknowledgedYieldsInstance, commandsNeverVanish, noDuplicateInstance } from './instance.ts';
import { lostRunLeavesRunning, lostTaskLeavesInProgress, noProcessOutlivesScenario } from './process.ts';
import { entitiesSurviveRestart, leftoversAdoptedOrKilled } from './restart.ts';
import { cancelAnswerHonoured, cancelledTreeDead, cancellingReachesCancelled, killFailuresBounded, subflowsCancelled } from './run-cancel.ts';
import { observedReachable, terminalAbsorbing, transitionAccepted } from './transitions.ts';
import type { ClauseChecker } from './verdict.ts';
import {
  listenerFailuresRetried,
  secondTerminateNoop,
  terminalWorkflowNoTaskProcess,
  terminalWorkflowTasksTerminal,
  terminateRunsCoreSteps,
} from './workflow.ts';

/** Clause id → its checker. A clause in the registry without one fails the test suite. */
export const checkers: Record<string, ClauseChecker> = {
  'TRANSITION-01': transitionAccepted,
  'TRANSITION-02': terminalAbsorbing,
  'OBSERVE-01': observedReachable,
  'RUN-CANCEL-01': cancellingReachesCancelled,
  'RUN-CANCEL-02': cancelledTreeDead,
  'RUN-CANCEL-03': subflowsCancelled,
  'RUN-CANCEL-04': killFailuresBounded,
  'RUN-CANCEL-05': cancelAnswerHonoured,
  'RUN-CONCURRENCY-01': concurrencyLimitHeld,
  'RUN-RETRY-01': retriesFollowed,
  'RUN-LATE-01': lateOnlyAfterThreshold,
  'DEPLOY-UPDATE-01': updateDeletesOnlyFutureScheduled,
  'DEPLOY-BACKLOG-02': backlogExecuted,
  'DEPLOY-SLOT-03': oneRunPerSlot,
  'DEPLOY-PAUSE-04': pausedWorkersTakeNoRuns,
  'DEPLOY-AHEAD-05': scheduleAheadHeld,
  'WF-TERMINAL-01': terminalWorkflowTasksTerminal,
  'WF-TERMINAL-02': terminalWorkflowNoTaskProcess,
  'WF-TERMINATE-02': terminateRunsCoreSteps,
  'WF-LISTENER-01': listenerFailuresRetried,
  'WF-TERMINATE-03': secondTerminateNoop,
  'WF-ARCHIVE-01': terminalWorkflowArchived,
  'INSTANCE-01': acknowledgedYieldsInstance,
  'INSTANCE-02': noDuplicateInstance,
  'INSTANCE-03': ackAfterDurableCommand,
  'INSTANCE-04': commandsNeverVanish,
  'INSTANCE-05': acknowledgedBeforeCrashYieldsOne,
  'PROCESS-01': noProcessOutlivesScenario,
  'PROCESS-LOSS-01': lostRunLeavesRunning,
  'PROCESS-LOSS-02': lostTaskLeavesInProgress,
  'RESTART-01': entitiesSurviveRestart,
  'RESTART-02': leftoversAdoptedOrKilled,
};

export interface CheckResult {
  valid: Validity;
  verdicts: ClauseVerdict[];
  /**
   * When the history ends before a bound some clause waits for: the wall time (ms, the
   * trace's clock) by which every such bound has passed; null when none is open.
   */
  openBoundsEndWallMs: number | null;
  /** Timed-out awaits that name no clause: the scenario is inconclusive for these reasons. */
  undecidedExpectations: string[];
}

/** Judge a trace against every clause (or those in `only`). */
export function checkTrace(events: readonly TraceEvent[], only?: readonly string[]): CheckResult {
  const history = new History(events);
  const verdicts = clauses
    .filter((clause) => !only || only.includes(clause.id))
    .map((clause): ClauseVerdict => {
      const checker = checkers[clause.id];
      if (!checker) return { clauseId: clause.id, valid: 'unknown', violations: [], unknownReasons: ['no checker for this clause'], exercised: 0 };
      try {
        return checker(history);
      } catch (error) {
        return { clauseId: clause.id, valid: 'unknown', violations: [], unknownReasons: [`checker threw: ${String(error)}`], exercised: 0 };
      }
    });
  // A timed-out await that stands for a clause is a violation of it (harness/checker/expectations.ts).
  const unmet = unmetExpectations(events);
  for (const verdict of verdicts) {
    const violations = unmet.byClause.get(verdict.clauseId);
    if (violations === undefined) continue;
    verdict.violations.push(...violations);
    verdict.valid = false;
    // Each is a situation of the clause that occurred (the scenario awaited it on an entity).
    verdict.exercised += violations.length;
  }
  return {
    valid: combineValidity(verdicts.map((verdict) => verdict.valid)),
    verdicts,
    openBoundsEndWallMs: history.openBoundsEndWallMs,
    undecidedExpectations: unmet.undecided,
  };
}
