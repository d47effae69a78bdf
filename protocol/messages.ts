/**
 * The lines of the engine protocol, version 1 (Maelstrom's convention): one JSON object
 * per line on the engine's stdin (from the harness) and stdout (from the engine); the
 * engine's stderr is its log. Three kinds of line:
 *
 * - `request` (harness → engine): `{"type":"request","id":7,"op":"cancel-run","deadlineMs":5000,"args":{"run":"r1"}}`
 * - `reply` (engine → harness), answering one request by `inReplyTo`, either
 *   `{"type":"reply","inReplyTo":7,"ok":true,"result":{}}` or
 *   `{"type":"reply","inReplyTo":7,"ok":false,"error":{"code":"not-found","message":"no run r1","definite":true}}`
 * - `event` (engine → harness, unasked): a trace event only the engine can see, e.g.
 *   `{"type":"event","event":{"kind":"transition","entity":"run","id":"r1","parentId":null,"from":"RUNNING","to":"CANCELLING","cause":"cancel"}}`
 *
 * Replies may come in any order; an engine may answer later requests first. A request
 * without a reply within `deadlineMs` has outcome `info` (Jepsen: it may have happened,
 * or may still happen).
 */
import { z } from 'zod';
import { DeleteEvent, LogEvent, ProcessEvent, SideEffectEvent, TransitionEvent } from '../trace/events.ts';
import { OperationName } from './operations.ts';

export const Request = z
  .object({
    type: z.literal('request'),
    /** Unique per engine process, increasing (count). */
    id: z.number().int().nonnegative(),
    op: OperationName,
    /** How long the harness waits for the reply (ms); after that the outcome is `info`. */
    deadlineMs: z.number().int().positive(),
    args: z.record(z.string(), z.unknown()),
  })
  .strict();
export type Request = z.infer<typeof Request>;

/**
 * Why an operation failed. `definite: true` means it did not happen and never will
 * (Maelstrom's definite errors); `definite: false` means it may have happened, and the
 * harness records the outcome as `info`.
 */
export const errorCodes = [
  /** The engine does not implement this operation (definite). */
  'not-supported',
  /** The arguments do not fit the operation's schema (definite). */
  'invalid-arguments',
  /** The entity the request names does not exist (definite). */
  'not-found',
  /** The entity the request would create exists already (definite). */
  'already-exists',
  /** A part of the engine refused the work (a store that refuses writes); nothing was done (definite). */
  'unavailable',
  /** The request could not be honoured in the entity's current state (definite). */
  'conflict',
  /** Anything else; whether it took effect is not known (usually indefinite). */
  'internal',
] as const;
export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ReplyError = z.object({
  code: ErrorCode,
  message: z.string(),
  definite: z.boolean(),
});
export type ReplyError = z.infer<typeof ReplyError>;

export const Reply = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), inReplyTo: z.number().int().nonnegative(), ok: z.literal(true), result: z.record(z.string(), z.unknown()).default({}) }).strict(),
  z.object({ type: z.literal('reply'), inReplyTo: z.number().int().nonnegative(), ok: z.literal(false), error: ReplyError }).strict(),
]);
export type Reply = z.infer<typeof Reply>;

const unstamped = { seq: true, timeMs: true, wallMs: true } as const;
/**
 * A trace event the engine pushes: a trace line without the stamps the harness adds
 * (`seq`, `wallMs`). A driven-clock engine may give `timeMs` (its logical clock, ms);
 * otherwise the harness stamps its own.
 */
export const PushedEvent = z.discriminatedUnion('kind', [
  TransitionEvent.omit(unstamped),
  DeleteEvent.omit(unstamped),
  ProcessEvent.omit(unstamped),
  SideEffectEvent.omit(unstamped),
  LogEvent.omit(unstamped),
]);
export type PushedEvent = z.infer<typeof PushedEvent>;

export const EventLine = z
  .object({
    type: z.literal('event'),
    event: PushedEvent,
    /** The engine's logical clock when the event happened (ms), if it has one. */
    timeMs: z.number().nonnegative().optional(),
  })
  .strict();
export type EventLine = z.infer<typeof EventLine>;

/** Any line an engine may write on stdout. */
export const EngineLine = z.union([Reply, EventLine]);
