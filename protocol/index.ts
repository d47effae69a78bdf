/** The engine protocol, version 1: the contract between the harness and any engine under test. */
export { Capabilities, BugProfileDescription, PushedEventKind, pushedEventKinds } from './capabilities.ts';
export { operationLimits } from './limits.ts';
export { EngineLine, ErrorCode, errorCodes, EventLine, PushedEvent, Reply, ReplyError, Request } from './messages.ts';
export {
  EntityView,
  FaultName,
  faultNames,
  operationNames,
  operations,
  OperationName,
  ProcessView,
  protocolVersion,
  stepOperationNames,
  type OperationArgs,
  type OperationArgsInput,
  type OperationResult,
  type StepOperationName,
} from './operations.ts';
export type { Outcome } from './outcome.ts';
