/**
 * Goal: the clause inventory is well-formed data that the CLI, the reports and the
 * checker can rely on, and every upstream defect of the bug profiles (docs/architecture.md "Bug profiles") has a clause that exists
 * to catch it. Method: plain checks over `clauses` from spec/clauses/registry.ts.
 */
import { describe, expect, it } from 'vitest';
import { clauseById, clauses } from '../../spec/clauses/registry.ts';

/** The bug profiles (docs/architecture.md "Bug profiles"); `catches` may name only these. */
const bugProfiles = ['prefect-17792', 'prefect-17764', 'conductor-303', 'dolphinscheduler-16572', 'bullmq-2979', 'conductor-776', 'prefect-16746', 'dolphinscheduler-13283', 'dolphinscheduler-13355', 'dolphinscheduler-15573'] as const;

describe('the clause registry', () => {
  it('has unique ids', () => {
    const ids = clauses.map((clause) => clause.id);
    const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
    expect(duplicates, `duplicate clause ids: ${duplicates.join(', ')}`).toEqual([]);
  });

  it.each(clauses.map((clause) => [clause.id, clause] as const))('%s is well-formed', (id, clause) => {
    expect(id).toMatch(/^[A-Z]+(-[A-Z]+)*-\d\d$/);
    expect(clause.must, `${id}: the sentence must say MUST`).toContain('MUST');
    expect(clause.source.trim(), `${id}: no source`).not.toBe('');
    expect(clause.checkedBy.trim(), `${id}: no checkedBy`).not.toBe('');
    for (const profile of clause.catches) {
      expect(bugProfiles as readonly string[], `${id}: catches unknown bug profile '${profile}'`).toContain(profile);
    }
    expect(clauseById(id)).toBe(clause);
  });

  it.each(bugProfiles)('has at least one clause that catches %s', (profile) => {
    const catching = clauses.filter((clause) => clause.catches.includes(profile));
    expect(catching.length, `no clause catches ${profile}`).toBeGreaterThan(0);
  });

  it('throws for an unknown id', () => {
    expect(() => clauseById('NOPE-99')).toThrow(/no clause 'NOPE-99'/);
  });
});
