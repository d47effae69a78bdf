/**
 * What an engine says it can do, in its answer to `hello`. A scenario needs the
 * capabilities its steps use; against an engine without one it is `not applicable`
 * (counted apart, never a pass and never a failure).
 */
import { z } from 'zod';
import { EntityKind } from '../trace/events.ts';

/** Kinds of trace event an engine may push on its own (what only it can see). */
export const pushedEventKinds = ['transition', 'delete', 'process', 'side-effect', 'log'] as const;
export const PushedEventKind = z.enum(pushedEventKinds);
export type PushedEventKind = z.infer<typeof PushedEventKind>;

/** A defect the engine can switch on (`setup.bug`), with the clauses a harness must then report. */
export const BugProfileDescription = z.object({
  id: z.string().min(1),
  title: z.string(),
  upstream: z.string(),
  fixedBy: z.string(),
  /** The one place in the engine's code the switch changes. */
  codePoint: z.string(),
  defect: z.string(),
  expectedClauses: z.array(z.string()),
});
export type BugProfileDescription = z.infer<typeof BugProfileDescription>;

export const Capabilities = z.object({
  /** Entity kinds the engine has (and shows through `query`). */
  entities: z.array(EntityKind),
  /**
   * Step operations it implements (names from protocol/operations.ts). Unknown names are
   * kept as strings so a newer engine does not break an older harness; they are ignored.
   */
  operations: z.array(z.string()),
  /** Faults `set-fault` can inject. */
  faults: z.array(z.string()).default([]),
  /**
   * `driven`: the engine's logical clock moves only on `advance-clock`, and due work runs
   * only on `tick` or `advance-clock` (the harness sends `tick` before every look).
   * `wall`: the engine runs on its own, on wall time; `advance-clock` is then not available.
   */
  clock: z.enum(['driven', 'wall']),
  /** Kill strategies for process trees it can use (`setup.platform`). */
  killStrategies: z.array(z.enum(['posix', 'win32'])).min(1),
  /** Trace events it pushes; a clause that needs one it does not push is judged `unknown`. */
  events: z.array(PushedEventKind).default([]),
  /** Whether it may be killed and started again on the same data (the nemesis's crash). */
  restart: z.boolean().default(false),
  /**
   * Whether it answers `reset`: end every process it started, forget every entity, and
   * take `setup` again, so one engine process can serve scenario after scenario.
   */
  reset: z.boolean().default(false),
  /** Defects it can switch on for the harness's self-test. */
  bugs: z.array(BugProfileDescription).default([]),
});
export type Capabilities = z.infer<typeof Capabilities>;
