/** PROCESS-01: after the engine's teardown, no process it spawned is alive (read from /proc). */
import type { History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/** The `reason` of the observer's last sweep, after the engine is closed. */
export const scenarioEndReason = 'scenario-end';

export const noProcessOutlivesScenario: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('PROCESS-01');
  const sweep = history.allProcessObservations().filter((observation) => observation.reason === scenarioEndReason);
  if (!history.events.some((event) => event.kind === 'end')) verdict.unknown('the trace has no end event, so no final sweep');
  else if (sweep.length === 0 && history.allProcessObservations().length > 0) verdict.unknown('processes were seen, but the trace has no scenario-end sweep of them');
  for (const observation of sweep) {
    if (observation.alive) verdict.violation(`process ${observation.pid} (${observation.owner}) was alive after the scenario ended (state ${observation.stat})`, observation.seq, observation.owner);
  }
  return verdict.build();
};
