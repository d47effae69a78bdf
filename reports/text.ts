/**
 * Small text helpers shared by the formatters in reports/. Pure, no I/O.
 */
import { clauses, type Clause } from '../spec/clauses/registry.ts';

/**
 * `text` on one line (runs of whitespace, newlines included, become one space), cut to at
 * most `lengthMax` characters (count) with a trailing `…` when it was longer.
 */
export function truncate(text: string, lengthMax: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= lengthMax) return line;
  return `${line.slice(0, Math.max(0, lengthMax - 1))}…`;
}

/**
 * The clause with this id, or undefined. Reports must render whatever the checker
 * produced, so unlike `clauseById` an id missing from the registry is not an error here.
 */
export function findClause(id: string): Clause | undefined {
  return clauses.find((clause) => clause.id === id);
}

export { violatedClauseIds } from '../harness/result.ts';
