import type { ClauseVerdict, Violation } from '../result.ts';
import type { History } from './history.ts';

/** A checker is a pure function of the history (Jepsen): one clause, one verdict. */
export type ClauseChecker = (history: History) => ClauseVerdict;

/** Collects what one checker saw; `false` ranks over `unknown` over `true`. */
export class VerdictBuilder {
  private readonly violations: Violation[] = [];
  private readonly unknownReasons: string[] = [];
  private exercisedCount = 0;
  private readonly exercisedKeys = new Set<string>();

  constructor(private readonly clauseId: string) {}

  violation(message: string, seq: number | null, entity?: string): void {
    this.violations.push({ clauseId: this.clauseId, message, seq, ...(entity === undefined ? {} : { entity }) });
  }

  /** Records why the clause cannot be decided; a reason already recorded is not repeated. */
  unknown(reason: string): void {
    if (!this.unknownReasons.includes(reason)) this.unknownReasons.push(reason);
  }

  /**
   * Counts one occurrence (or `count`) of the situation the clause judges: call it where
   * the checker actually decides something, so that a verdict of true with 0 exercised
   * is known to be vacuous (spec coverage, harness/coverage/).
   */
  exercised(count = 1): void {
    this.exercisedCount += count;
  }

  /**
   * Counts the situation named `key` once, however often it is met (a slot that got a
   * run, an update with a backlog, …): the first call with a key counts, later ones do not.
   */
  exercisedOnce(key: string): void {
    if (this.exercisedKeys.has(key)) return;
    this.exercisedKeys.add(key);
    this.exercised();
  }

  build(): ClauseVerdict {
    const valid = this.violations.length > 0 ? false : this.unknownReasons.length > 0 ? 'unknown' : true;
    return { clauseId: this.clauseId, valid, violations: this.violations, unknownReasons: this.unknownReasons, exercised: this.exercisedCount };
  }
}
