import type { ClauseVerdict, Violation } from '../result.ts';
import type { History } from './history.ts';

/** A checker is a pure function of the history (Jepsen): one clause, one verdict. */
export type ClauseChecker = (history: History) => ClauseVerdict;

/** Collects what one checker saw; `false` ranks over `unknown` over `true`. */
export class VerdictBuilder {
  private readonly violations: Violation[] = [];
  private readonly unknownReasons: string[] = [];

  constructor(private readonly clauseId: string) {}

  violation(message: string, seq: number | null, entity?: string): void {
    this.violations.push({ clauseId: this.clauseId, message, seq, ...(entity === undefined ? {} : { entity }) });
  }

  /** Records why the clause cannot be decided; a reason already recorded is not repeated. */
  unknown(reason: string): void {
    if (!this.unknownReasons.includes(reason)) this.unknownReasons.push(reason);
  }

  build(): ClauseVerdict {
    const valid = this.violations.length > 0 ? false : this.unknownReasons.length > 0 ? 'unknown' : true;
    return { clauseId: this.clauseId, valid, violations: this.violations, unknownReasons: this.unknownReasons };
  }
}
