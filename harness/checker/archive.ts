/**
 * WF-ARCHIVE-01: a terminal workflow with an archive listener is read back archived
 * within archiveBoundMs once the archive store is healthy (conductor-oss/conductor#303:
 * the archive listener's failure on terminate was never retried; Conductor's archive
 * status listener archives a workflow when it completes or is terminated).
 *
 * Judged from what the harness saw for itself: which workflows were started with the
 * archive listener (the `start-workflow` requests), when each was first read back
 * terminal and when read back archived (the `archived` the query API shows), and when the
 * archive store was failing (the nemesis's `archive-listener` fault lines). Side-effect
 * lines the engine pushes only add to a message.
 *
 * The bound is counted from the first terminal read-back, or, when the archive store was
 * failing then, from its heal. An outage that heals more than archiveBoundMs after that
 * read-back is not judged: the listener may have used up its attempts (WF-LISTENER-01
 * allows a dead-letter after listenerAttemptsMax). Nor is a workflow whose store heals
 * only across an engine crash (a restarted engine resumes its retries from where it was),
 * or whose store fails again before it was read back archived. An engine whose query API
 * shows no `archived` has the clause unknown, never passed.
 */
import { isTerminal } from '../../spec/transitions.ts';
import type { FaultEvent, ObserveEvent } from '../../trace/events.ts';
import type { History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/** The listener name whose success archives a workflow (protocol/operations.ts `listenerNames`). */
const archiveListener = 'archive';
/** The fault that makes the archive store fail (protocol/operations.ts `faultNames`). */
const archiveFault = 'archive-listener';

/** A stretch of wall time in which the archive store was failing; `toWallMs` is Infinity when never healed. */
interface Outage {
  fromWallMs: number;
  toWallMs: number;
  heal: FaultEvent | undefined;
}

/** Workflows started (answered ok) with the archive listener; `listeners` left out is the protocol's default, `["archive"]`. */
function workflowsWithArchiveListener(history: History): string[] {
  const ids: string[] = [];
  for (const request of history.requests) {
    if (request.op !== 'start-workflow' || request.outcome !== 'ok') continue;
    const listeners = request.args.listeners ?? [archiveListener];
    if (Array.isArray(listeners) && listeners.includes(archiveListener)) ids.push(String(request.args.workflow));
  }
  return ids;
}

/** When the archive store was failing, from the nemesis's fault lines, in order. */
function archiveOutages(history: History): Outage[] {
  const outages: Outage[] = [];
  let open: Outage | undefined;
  for (const event of history.events) {
    if (event.kind !== 'fault' || event.fault !== archiveFault) continue;
    if (event.action === 'inject' && !open) {
      open = { fromWallMs: event.wallMs, toWallMs: Infinity, heal: undefined };
      outages.push(open);
    } else if (event.action === 'clear' && open) {
      open.toWallMs = event.wallMs;
      open.heal = event;
      open = undefined;
    }
  }
  return outages;
}

/** The engine's last archive call for the workflow, in words, when it pushed one: for the message only. */
function lastArchiveCall(history: History, workflowId: string): string {
  const call = history.events.filter((event) => event.kind === 'side-effect' && event.name === archiveListener && event.target === workflowId).at(-1);
  if (call?.kind !== 'side-effect') return '';
  return `; the engine's last archive call for it: attempt ${call.attempt}, ${call.outcome}${call.error === undefined ? '' : ` (${call.error})`}`;
}

export const terminalWorkflowArchived: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('WF-ARCHIVE-01');
  const boundMs = history.bounds.archiveBoundMs;
  const outages = archiveOutages(history);
  const reads = history.observesBeforeTeardown().filter((observe) => observe.entity === 'workflow');
  for (const workflowId of workflowsWithArchiveListener(history)) {
    const own = reads.filter((observe) => observe.id === workflowId);
    const terminal = own.find((observe) => observe.state !== null && isTerminal('workflow', observe.state));
    if (!terminal) continue;
    // The store is healthy from the terminal read-back, or from the heal of the outage it fell in.
    const outage = outages.find((candidate) => candidate.fromWallMs <= terminal.wallMs && terminal.wallMs < candidate.toWallMs);
    const healthyFromWallMs = outage?.toWallMs ?? terminal.wallMs;
    // Never healed, healed too late for the listener's attempts, or healed across a crash: not judged.
    if (healthyFromWallMs - terminal.wallMs > boundMs) continue;
    if (history.crashes.some(({ crash }) => crash.wallMs >= terminal.wallMs && crash.wallMs <= healthyFromWallMs)) continue;
    const deadline = history.deadlineAfter(healthyFromWallMs, boundMs);
    const archived = own.find((observe) => observe.seq >= terminal.seq && observe.archived === true);
    const failingAgain = outages.find((candidate) => candidate.fromWallMs > healthyFromWallMs && candidate.fromWallMs < Math.min(deadline, archived?.wallMs ?? Infinity));
    if (failingAgain) continue;
    if (!own.some((observe) => observe.archived !== undefined)) {
      verdict.unknown(`the query API shows no \`archived\` for workflow ${workflowId}, so whether it was archived cannot be told`);
      continue;
    }
    const from = outage?.heal ? `the archive store was healed (seq ${outage.heal.seq})` : `it was read back ${terminal.state} (seq ${terminal.seq})`;
    if (archived && archived.wallMs <= deadline) {
      verdict.exercised();
      continue;
    }
    const note = history.boundNote(healthyFromWallMs, boundMs);
    if (archived) {
      verdict.exercised();
      verdict.violation(
        `workflow ${workflowId} was read back archived only ${Math.round(archived.wallMs - healthyFromWallMs)} ms after ${from} (bound ${boundMs} ms${note})`,
        archived.seq,
        workflowId,
      );
    } else if (history.covers(deadline)) {
      verdict.exercised();
      const last: ObserveEvent = own.at(-1)!;
      verdict.violation(
        `workflow ${workflowId} (${terminal.state}, with an archive listener) was still read back not archived ${Math.round(deadline - healthyFromWallMs)} ms after ${from} (bound ${boundMs} ms${note})${lastArchiveCall(history, workflowId)}`,
        last.seq,
        workflowId,
      );
    } else {
      verdict.unknown(history.notCovered(deadline, `the archive bound of workflow ${workflowId}`));
    }
  }
  return verdict.build();
};
