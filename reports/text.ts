/**
 * Small text helpers shared by the formatters in reports/. Pure, no I/O.
 */
import type { EngineInfo } from '../harness/result.ts';
import { clauses, type Clause, type ClauseFamily } from '../spec/clauses/registry.ts';

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

/**
 * Every clause family of the registry, each once, in registry order. Derived from the
 * clauses rather than listed, so a family added to the registry shows up in reports.
 */
export function clauseFamilies(): ClauseFamily[] {
  return [...new Set(clauses.map((clause) => clause.family))];
}

/**
 * The clause families the engine was not checked on, in registry order: every family when
 * there is no engine (it was never started, so it was checked on nothing).
 */
export function uncheckedFamilies(engine: EngineInfo | null): ClauseFamily[] {
  const checked = engine?.checkedFamilies ?? [];
  return clauseFamilies().filter((family) => !checked.includes(family));
}

/** `a, b, c`, or `none` for an empty list (so a report never shows an empty field). */
export function listOrNone(items: readonly string[]): string {
  return items.length > 0 ? items.join(', ') : 'none';
}

/**
 * Why a scenario is not applicable, in words: `engine lacks operation deploy, entity
 * workflow`, or `no missing capability recorded` when the list is empty (a runner
 * inconsistency, shown rather than hidden).
 */
export function missingText(missingCapabilities: readonly string[]): string {
  return missingCapabilities.length > 0 ? `engine lacks ${missingCapabilities.join(', ')}` : 'no missing capability recorded';
}

export { inconclusiveReason, violatedClauseIds } from '../harness/result.ts';
