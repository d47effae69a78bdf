/**
 * PROCESS-01: after the engine's teardown, no process it spawned is alive (read from
 * /proc). PROCESS-LOSS-01/02: a run or task whose processes all died leaves RUNNING or
 * IN_PROGRESS within processLossBoundMs.
 */
import { readRunState } from '../../spec/states.ts';
import type { History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/** The `reason` of the observer's last sweep, after the engine is closed. */
export const scenarioEndReason = 'scenario-end';

export const noProcessOutlivesScenario: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('PROCESS-01');
  const sweep = history.allProcessObservations().filter((observation) => observation.reason === scenarioEndReason);
  if (!history.events.some((event) => event.kind === 'end')) verdict.unknown('the trace has no end event, so no final sweep');
  else if (sweep.length === 0 && history.allProcessObservations().length > 0) verdict.unknown('processes were seen, but the trace has no scenario-end sweep of them');
  // The situation: a scenario end whose sweep checked processes (it reads every process ever seen).
  if (sweep.length > 0) verdict.exercised();
  for (const observation of sweep) {
    if (observation.alive) verdict.violation(`process ${observation.pid} (${observation.owner}) was alive after the scenario ended (state ${observation.stat})`, observation.seq, observation.owner);
  }
  return verdict.build();
};

// ---------------------------------------------------------------------------------------
// PROCESS-LOSS-01/02: a run (task) whose processes all died must not stay RUNNING
// (IN_PROGRESS) for ever (BullMQ PR #2979, Prefect crashed infrastructure, Conductor's
// responseTimeout sweep).

/** What a process loss is about, per entity kind. */
interface LossKind {
  clauseId: string;
  entity: 'run' | 'task';
  /** The state the entity holds only while a process of its own runs. */
  label: string;
  holds(state: string | null): boolean;
}

const runLoss: LossKind = { clauseId: 'PROCESS-LOSS-01', entity: 'run', label: 'RUNNING', holds: (state) => state !== null && readRunState(state)?.type === 'RUNNING' };
const taskLoss: LossKind = { clauseId: 'PROCESS-LOSS-02', entity: 'task', label: 'IN_PROGRESS', holds: (state) => state === 'IN_PROGRESS' };

/**
 * A stretch in which an entity was read back in its process-holding state while none of
 * its processes was alive in /proc, though one had been: from the look that showed it
 * (its last process seen dead, or the state read while none lived) to the look that
 * ended it (the entity read back in another state, or a process of it seen alive).
 */
export interface ProcessLoss {
  id: string;
  /** The trace line that began it, and its wall time. */
  startSeq: number;
  startWallMs: number;
  /** The entity's process last seen dying (the one whose death began it, most often). */
  pid: number;
  /** The state read back when it began. */
  state: string;
  /** How it ended: the line, its wall time and what it showed; undefined if it lasted to the end of the history. */
  ended: { seq: number; wallMs: number; what: string } | undefined;
}

/**
 * The process losses of every entity of `kind.entity`, read from what the harness saw:
 * `observe` lines for the state, `observe-process` lines for liveness, each pid counted
 * for the owner its last observation names; up to the teardown line.
 */
export function processLosses(history: History, kind: LossKind): ProcessLoss[] {
  const ownerOf = new Map<number, string>();
  for (const observation of history.allProcessObservations()) ownerOf.set(observation.pid, observation.owner);
  const state = new Map<string, string | null>();
  const live = new Map<string, Set<number>>();
  const hadProcess = new Set<string>();
  const lastDead = new Map<string, number>();
  const open = new Map<string, ProcessLoss>();
  const losses: ProcessLoss[] = [];
  for (const event of history.events) {
    if (event.seq >= history.teardownSeq) break;
    let id: string;
    let what: string;
    if (event.kind === 'observe' && event.entity === kind.entity) {
      id = event.id;
      state.set(id, event.state);
      what = event.state === null ? 'read back as gone' : `read back ${event.state}`;
    } else if (event.kind === 'observe-process') {
      id = ownerOf.get(event.pid)!;
      const pids = live.get(id) ?? new Set<number>();
      live.set(id, pids);
      if (event.alive) {
        pids.add(event.pid);
        hadProcess.add(id);
      } else {
        pids.delete(event.pid);
        lastDead.set(id, event.pid);
      }
      what = `process ${event.pid} seen alive`;
    } else continue;
    const current = state.get(id) ?? null;
    const lost = kind.holds(current) && hadProcess.has(id) && (live.get(id)?.size ?? 0) === 0;
    const running = open.get(id);
    if (lost && !running) {
      const loss: ProcessLoss = { id, startSeq: event.seq, startWallMs: event.wallMs, pid: lastDead.get(id)!, state: current!, ended: undefined };
      open.set(id, loss);
      losses.push(loss);
    } else if (!lost && running) {
      running.ended = { seq: event.seq, wallMs: event.wallMs, what };
      open.delete(id);
    }
  }
  return losses;
}

/** Parents of runs and tasks, from read-backs and transitions (a subflow's parent run, a task's workflow). */
function parentsOf(history: History, entity: 'run' | 'task'): Map<string, string> {
  const parents = new Map<string, string>();
  for (const event of history.events) {
    if ((event.kind === 'observe' || event.kind === 'transition') && event.entity === entity && event.parentId !== null && !parents.has(event.id)) parents.set(event.id, event.parentId);
  }
  return parents;
}

/**
 * Was the entity's process killed on purpose before the loss began: a cancel answered ok
 * for the run or one of its ancestors, a terminate answered ok for the task's workflow?
 * Then the death is the engine's own doing, and the cancel and terminate clauses judge it.
 */
function killedOnPurpose(history: History, kind: LossKind, loss: ProcessLoss, parents: Map<string, string>): boolean {
  const targets = new Set<string>();
  if (kind.entity === 'run') {
    for (let id: string | undefined = loss.id, depth = 0; id !== undefined && depth < 64; id = parents.get(id), depth += 1) targets.add(id);
  } else {
    const workflow = parents.get(loss.id);
    if (workflow !== undefined) targets.add(workflow);
  }
  const op = kind.entity === 'run' ? 'cancel-run' : 'terminate-workflow';
  const field = kind.entity === 'run' ? 'run' : 'workflow';
  return history.requests.some((request) => {
    if (request.op !== op || request.outcome !== 'ok' || !targets.has(String(request.args[field]))) return false;
    const moment = history.stepBeginBefore(request.seq) ?? request;
    return moment.seq < loss.startSeq;
  });
}

/** What the engine itself said, for the message: a pushed move out of the state the query API kept showing, or none. */
function pushedNote(history: History, kind: LossKind, loss: ProcessLoss): string {
  const left = history.transitionsOf(kind.entity, loss.id).find((transition) => transition.seq > loss.startSeq && transition.seq < history.teardownSeq && !kind.holds(transition.to));
  if (left) return `; the engine pushed ${left.from ?? '(new)'} → ${left.to} (seq ${left.seq}, cause ${left.cause}), but the query API kept showing ${loss.state}`;
  return '; the engine pushed no transition out of it either';
}

/** Who killed the process, when the nemesis did. */
function killNote(history: History, loss: ProcessLoss): string {
  const kill = history.events.find((event) => event.kind === 'fault' && event.fault === 'worker-kill' && event.pid === loss.pid && event.seq <= loss.startSeq);
  return kill ? ` (SIGKILLed by the nemesis, seq ${kill.seq})` : '';
}

function processLossChecker(kind: LossKind): ClauseChecker {
  return (history) => {
    const verdict = new VerdictBuilder(kind.clauseId);
    const boundMs = history.bounds.processLossBoundMs;
    const parents = parentsOf(history, kind.entity);
    for (const loss of processLosses(history, kind)) {
      if (killedOnPurpose(history, kind, loss, parents)) continue;
      // The situation: an entity shown in its running state with none of its processes alive.
      verdict.exercised();
      const deadline = history.deadlineAfter(loss.startWallMs, boundMs);
      if (loss.ended && loss.ended.wallMs <= deadline) continue;
      const subject = `${kind.entity} ${loss.id}`;
      const lastProcess = `it was left with no live process (seq ${loss.startSeq}; the last, pid ${loss.pid}${killNote(history, loss)}, seen dead)`;
      const note = history.boundNote(loss.startWallMs, boundMs);
      if (loss.ended) {
        verdict.violation(
          `${subject} was still ${loss.state} ${Math.round(loss.ended.wallMs - loss.startWallMs)} ms after ${lastProcess} (bound processLossBoundMs ${boundMs} ms${note}); only then was it ${loss.ended.what}`,
          loss.ended.seq,
          loss.id,
        );
      } else if (history.covers(deadline)) {
        verdict.violation(
          `${subject} was still ${loss.state} ${Math.round(deadline - loss.startWallMs)} ms after ${lastProcess} (bound processLossBoundMs ${boundMs} ms${note}); it never left ${kind.label}${pushedNote(history, kind, loss)}`,
          loss.startSeq,
          loss.id,
        );
      } else {
        verdict.unknown(history.notCovered(deadline, `${subject}'s process-loss bound (its last process, pid ${loss.pid}, died at ${Math.round(loss.startWallMs)} ms)`));
      }
    }
    return verdict.build();
  };
}

export const lostRunLeavesRunning: ClauseChecker = processLossChecker(runLoss);
export const lostTaskLeavesInProgress: ClauseChecker = processLossChecker(taskLoss);
