import type { ReplyError } from './messages.ts';

/**
 * How one request ended, in Jepsen's words: `ok` (it happened), `fail` (it did not and
 * will not: a definite error), `info` (unknown: an indefinite error, or no reply within
 * the request's deadline, `timedOut`; it may have happened or may still happen).
 */
export type Outcome =
  | { outcome: 'ok'; result: Record<string, unknown> }
  | { outcome: 'fail'; error: ReplyError }
  | { outcome: 'info'; error: ReplyError | null; timedOut: boolean };
