/**
 * Named limits on what one operation may ask of an engine (ms, counts). Scenarios share
 * them, so a scenario that validates never asks an engine for more than the protocol allows.
 */
export const operationLimits = {
  /** Longest process life a run or task plan may ask for (ms). */
  durationMsMax: 120_000,
  /** Longest wait a step or request may be given (ms). */
  timeoutMsMax: 60_000,
  subflowDepthMax: 4,
  subflowFanOutMax: 4,
  tasksMax: 10,
  burstRequestsMax: 5_000,
  consumersMax: 16,
  /** Largest move of a driven clock in one request (logical ms): one day. */
  advanceMsMax: 86_400_000,
  scheduleAheadCountMax: 20,
} as const;
