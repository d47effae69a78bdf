/** Exit codes of every flowconform command (docs/architecture.md; CI scripts depend on them). */
export const exitCodes = {
  /** Conformant: every clause held. */
  conformant: 0,
  /** At least one clause was violated. */
  violated: 1,
  /** Invalid input or usage: a bad scenario or trace file, an unknown option. */
  invalidInput: 2,
  /** Inconclusive: the engine crashed or hung, or the harness itself failed. */
  inconclusive: 3,
} as const;

/** A usage or input error: the CLI prints its message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
