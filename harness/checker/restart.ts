/**
 * RESTART-01/02: what a crash may not cost. After the nemesis SIGKILLs the engine and a
 * new engine process is started on its data (`engine-crash` inject, then clear), the
 * query API shows every entity it showed (or acknowledged) before the crash, each in a
 * state reachable from its last one; and every process the crash left behind is adopted
 * (its entity still shown holding a process) or killed within restartBoundMs, with none
 * left unowned at the end (Prefect: crashed infrastructure → CRASHED; DolphinScheduler
 * master failover, apache/dolphinscheduler#16572 family).
 *
 * Judged on what the harness saw: `fault` lines, `observe` read-backs, `observe-process`
 * lines from /proc, requests answered ok. The observer writes every entity at its first
 * read after a restart, changed or not, so a pre-crash entity is judged at once; one with
 * no line after the restart (a trace from elsewhere, or one that ended first) was shown as
 * it was, provided the history reaches past the bound (else 'unknown').
 */
import { canonicalState, reachableFrom } from '../../spec/transitions.ts';
import { readRunState } from '../../spec/states.ts';
import type { EntityKind, ObserveEvent, ObserveProcessEvent, RequestEvent } from '../../trace/events.ts';
import { entityKey, type Crash, type History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/** Crashes whose restart the history holds (before teardown), with the crash after each. */
function restarts(history: History): Array<{ crash: Crash['crash']; restart: NonNullable<Crash['restart']>; next: Crash | undefined }> {
  const result: Array<{ crash: Crash['crash']; restart: NonNullable<Crash['restart']>; next: Crash | undefined }> = [];
  history.crashes.forEach((entry, index) => {
    if (entry.restart && entry.restart.seq < history.teardownSeq) result.push({ crash: entry.crash, restart: entry.restart, next: history.crashes[index + 1] });
  });
  return result;
}

/** Entity kinds RESTART-01 judges: commands are consumed and deleted by design (INSTANCE-04/05 judge them). */
function judgedKind(entity: EntityKind): boolean {
  return entity !== 'command';
}

/** The creations answered ok: `start-run` makes run `args.run`, `start-workflow` workflow `args.workflow`. */
function acknowledgedEntity(request: RequestEvent): { entity: EntityKind; id: string } | undefined {
  if (request.outcome !== 'ok') return undefined;
  if (request.op === 'start-run' && typeof request.args.run === 'string') return { entity: 'run', id: request.args.run };
  if (request.op === 'start-workflow' && typeof request.args.workflow === 'string') return { entity: 'workflow', id: request.args.workflow };
  return undefined;
}

export const entitiesSurviveRestart: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RESTART-01');
  const boundMs = history.bounds.restartBoundMs;
  const observes = history.observesBeforeTeardown();
  for (const { crash, restart, next } of restarts(history)) {
    const deadline = history.deadlineAfter(restart.wallMs, boundMs);
    // Reads that belong to this restart: up to the next crash, which judges what follows.
    const windowEndSeq = Math.min(next?.crash.seq ?? Infinity, history.teardownSeq);
    // The next crash came before this restart's bound ran out: that crash's restart judges.
    const cutShort = next !== undefined && next.crash.wallMs < deadline;
    const note = history.boundNote(restart.wallMs, boundMs);
    const lastRead = new Map<string, ObserveEvent>();
    for (const observe of observes) if (observe.seq < crash.seq && judgedKind(observe.entity)) lastRead.set(entityKey(observe.entity, observe.id), observe);
    const acknowledgedOnly = new Map<string, { entity: EntityKind; id: string; request: RequestEvent }>();
    for (const request of history.requests) {
      const made = request.seq < crash.seq ? acknowledgedEntity(request) : undefined;
      if (made && !lastRead.has(entityKey(made.entity, made.id))) acknowledgedOnly.set(entityKey(made.entity, made.id), { ...made, request });
    }
    const readsAfter = (entity: EntityKind, id: string) => observes.filter((observe) => observe.entity === entity && observe.id === id && observe.seq > restart.seq && observe.seq < windowEndSeq);
    const crashed = `the crash (seq ${crash.seq})`;
    const restarted = `the restart (seq ${restart.seq})`;
    // The situation: a restart with entities to show again, counted once per restart.
    if ([...lastRead.values()].some((last) => last.state !== null) || acknowledgedOnly.size > 0) verdict.exercised();

    for (const last of lastRead.values()) {
      if (last.state === null) continue;
      const subject = `${last.entity} ${last.id}`;
      const reads = readsAfter(last.entity, last.id);
      const gone = reads.find((observe) => observe.state === null);
      if (gone) {
        // A deployment update made after the restart may delete a scheduled run (DEPLOY-UPDATE-01 judges it).
        const deleted = history.events.some((event) => event.kind === 'delete' && event.entity === last.entity && event.id === last.id && event.cause === 'deployment-update' && event.seq > restart.seq && event.seq < gone.seq);
        if (!deleted) verdict.violation(`${subject}, read back ${last.state} before ${crashed}, was read back as gone at seq ${gone.seq}, after ${restarted}: the restart lost it`, gone.seq, last.id);
        continue;
      }
      const first = reads[0];
      if (first) {
        const known = canonicalState(last.entity, last.state) !== undefined && canonicalState(last.entity, first.state!) !== undefined;
        if (known && first.state !== last.state && !reachableFrom(last.entity, last.state).has(canonicalState(last.entity, first.state!)!)) {
          verdict.violation(
            `${subject} was read back ${first.state} at seq ${first.seq}, after ${restarted}, which the ${last.entity} machine cannot reach from ${last.state}, its last state read (seq ${last.seq}) before ${crashed}`,
            first.seq,
            last.id,
          );
        }
        continue;
      }
      // No line after the restart: shown as it was, once a look is sure to have happened.
      if (!cutShort && !history.covers(deadline)) verdict.unknown(history.notCovered(deadline, `${subject} can be seen shown again after ${restarted}`));
    }

    for (const { entity, id, request } of acknowledgedOnly.values()) {
      const subject = `${entity} ${id}`;
      const shown = readsAfter(entity, id).find((observe) => observe.state !== null);
      if (shown && shown.wallMs <= deadline) continue;
      if (shown) {
        verdict.violation(
          `${subject}, acknowledged (seq ${request.seq}) before ${crashed}, was shown by the query API only ${Math.round(shown.wallMs - restart.wallMs)} ms after ${restarted} (bound restartBoundMs ${boundMs} ms${note})`,
          shown.seq,
          id,
        );
      } else if (cutShort) {
        continue;
      } else if (history.covers(deadline)) {
        verdict.violation(
          `${subject}, acknowledged (seq ${request.seq}) before ${crashed}, was not shown by the query API within ${Math.round(deadline - restart.wallMs)} ms of ${restarted} (bound restartBoundMs ${boundMs} ms${note}): the restart lost it`,
          request.seq,
          id,
        );
      } else {
        verdict.unknown(history.notCovered(deadline, `${subject} can be seen shown again after ${restarted}`));
      }
    }
  }
  return verdict.build();
};

// ---------------------------------------------------------------------------------------
// RESTART-02: processes the crash left behind.

/** The owner the harness gives a process no entity claimed (harness/runner/observer.ts `unknownOwner`). */
const unknownOwner = 'unknown';

/** Is the entity `owner`, as read back at `wallMs`, one that holds a process (so it may have adopted one)? */
function ownerHolding(history: History, owner: string, wallMs: number): { holds: boolean; state: string | null | undefined } {
  const run = history.observedStateAt('run', owner, wallMs);
  if (run) {
    const type = run.state === null ? undefined : readRunState(run.state)?.type;
    // Paused (not Suspended) and AwaitingRetry (an in-process retry, Prefect 3) keep their process.
    const holds = type === 'PENDING' || type === 'RUNNING' || type === 'CANCELLING' || run.state === 'PAUSED' || run.state === 'SCHEDULED/AwaitingRetry';
    return { holds, state: run.state };
  }
  const task = history.observedStateAt('task', owner, wallMs);
  if (task) return { holds: task.state === 'IN_PROGRESS', state: task.state };
  return { holds: false, state: undefined };
}

function stateWords(owner: string, state: string | null | undefined): string {
  if (owner === unknownOwner) return 'no entity owns it';
  if (state === undefined) return `${owner} was never read back as a run or task`;
  if (state === null) return `${owner} was read back as gone`;
  return `${owner} was read back ${state}`;
}

/** Does this process lead its own process group (a run's root, by the harness's /proc reads)? */
function leadsGroup(observations: readonly ObserveProcessEvent[]): boolean {
  return observations.some((observation) => observation.groupId === observation.pid);
}

export const leftoversAdoptedOrKilled: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RESTART-02');
  const boundMs = history.bounds.restartBoundMs;
  const byPid = new Map<number, ObserveProcessEvent[]>();
  for (const observation of history.allProcessObservations()) {
    if (observation.seq >= history.teardownSeq) continue;
    byPid.set(observation.pid, [...(byPid.get(observation.pid) ?? []), observation]);
  }
  for (const { crash, restart, next } of restarts(history)) {
    const deadline = history.deadlineAfter(restart.wallMs, boundMs);
    // Leftovers still alive when the engine crashes again are that crash's leftovers too.
    if (next !== undefined && next.crash.wallMs < deadline) continue;
    const covered = history.covers(deadline);
    const at = covered ? deadline : history.endWallMs;
    const note = history.boundNote(restart.wallMs, boundMs);
    const engines = new Set([crash.pid, restart.pid]);
    for (const [pid, observations] of byPid) {
      if (engines.has(pid)) continue;
      const atCrash = observations.filter((observation) => observation.seq < crash.seq).at(-1);
      const bornWhileDown = observations.some((observation) => observation.alive && observation.seq > crash.seq && observation.seq < restart.seq);
      if (!atCrash?.alive && !bornWhileDown) continue;
      // The situation: a restart with processes left behind, counted once per restart.
      verdict.exercisedOnce(`restart@${restart.seq}`);
      const owner = observations.at(-1)!.owner;
      const left = `process ${pid} (owner ${owner}), left behind by the crash (seq ${crash.seq})`;
      const seen = history.processAliveAt(pid, at);
      if (seen) {
        const holder = ownerHolding(history, owner, at);
        const rerun = leadsGroup(observations)
          ? [...byPid].find(
              ([other, its]) =>
                other !== pid && !engines.has(other) && its.at(-1)!.owner === owner && its[0]!.seq > restart.seq && leadsGroup(its) && history.processAliveAt(other, at) !== undefined,
            )
          : undefined;
        if (holder.holds && !rerun) {
          // Adopted: its entity is still shown holding a process. It must stay owned to the end.
        } else if (!covered) {
          verdict.unknown(history.notCovered(deadline, `the restart bound for ${left}`));
          continue;
        } else if (rerun) {
          verdict.violation(
            `${left}, was still alive ${Math.round(deadline - restart.wallMs)} ms after the restart at seq ${restart.seq} (bound restartBoundMs ${boundMs} ms${note}), while the restarted engine ran ${owner} again in a new process ${rerun[0]} (seq ${rerun[1][0]!.seq}): not adopted, and the work runs twice`,
            seen.seq,
            owner,
          );
          continue;
        } else {
          verdict.violation(
            `${left}, was still alive ${Math.round(deadline - restart.wallMs)} ms after the restart at seq ${restart.seq} (bound restartBoundMs ${boundMs} ms${note}) and ${stateWords(owner, holder.state)}: neither adopted nor killed`,
            seen.seq,
            owner,
          );
          continue;
        }
      }
      if (!covered) continue;
      // None unowned at the end: alive at teardown only while its entity still holds it.
      const atEnd = history.processAliveAt(pid, history.endWallMs);
      if (!atEnd) continue;
      const holder = ownerHolding(history, owner, history.endWallMs);
      if (!holder.holds) {
        verdict.violation(
          `${left}, was still alive when the scenario ended (last seen alive at seq ${atEnd.seq}, never dead before teardown) and ${stateWords(owner, holder.state)}: unowned, nobody will end it`,
          atEnd.seq,
          owner,
        );
      }
    }
  }
  return verdict.build();
};
