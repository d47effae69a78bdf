/**
 * What an engine can be checked on. A scenario needs the capabilities its steps use
 * (each step kind says which, scenarios/steps/); against an engine without one, the
 * scenario is `not applicable`: counted apart, never a pass and never a failure
 * (Kubernetes conformance profiles). A clause family is checked when the engine has what
 * the family's situations need.
 */
import type { z } from 'zod';
import type { Capabilities } from '../protocol/capabilities.ts';
import type { Scenario, Step, StepInput } from '../scenarios/schema/steps.ts';
import { kindOfStep } from '../scenarios/steps/registry.ts';
import type { Requirement } from '../scenarios/steps/step-kind.ts';
import { clauses, type ClauseFamily } from '../spec/clauses/registry.ts';

/** A requirement in words, as reports print it: `operation deploy`, `entity workflow`, … */
export function describeRequirement(requirement: Requirement): string {
  switch (requirement.kind) {
    case 'clock':
      return 'a driven clock';
    case 'restart':
      return 'restart on the same data';
    default:
      return `${requirement.kind} ${requirement.name}`;
  }
}

/** Does the engine have this? */
export function satisfies(capabilities: Capabilities, requirement: Requirement): boolean {
  switch (requirement.kind) {
    case 'operation':
      return capabilities.operations.includes(requirement.name);
    case 'entity':
      return capabilities.entities.includes(requirement.name);
    case 'fault':
      return capabilities.faults.includes(requirement.name);
    case 'clock':
      return capabilities.clock === requirement.name;
    case 'restart':
      return capabilities.restart;
  }
}

/**
 * What the scenario needs that the engine lacks, in words, each once, in step order; []
 * when the scenario applies. The scenario's platform needs that kill strategy.
 */
export function missingCapabilities(scenario: Scenario, capabilities: Capabilities): string[] {
  const missing = new Set<string>();
  if (!capabilities.killStrategies.includes(scenario.platform)) missing.add(`kill strategy ${scenario.platform}`);
  for (const step of scenario.steps) for (const what of missingForStep(step, capabilities)) missing.add(what);
  return [...missing];
}

/** What one step (validated, or as generated with defaults left out) needs that the engine lacks, in words. */
export function missingForStep(step: Step | StepInput, capabilities: Capabilities): string[] {
  const { kind, body } = kindOfStep(step);
  return kind.requires((kind.schema as z.ZodType).parse(body) as never).filter((requirement) => !satisfies(capabilities, requirement)).map(describeRequirement);
}

/** What each clause family needs of an engine before any of its situations can occur. */
const familyRequirements: Record<ClauseFamily, Requirement[]> = {
  transitions: [],
  process: [],
  'run-cancel': [
    { kind: 'entity', name: 'run' },
    { kind: 'operation', name: 'start-run' },
    { kind: 'operation', name: 'cancel-run' },
  ],
  deployment: [
    { kind: 'operation', name: 'deploy' },
    { kind: 'clock', name: 'driven' },
  ],
  workflow: [
    { kind: 'entity', name: 'workflow' },
    { kind: 'operation', name: 'start-workflow' },
    { kind: 'operation', name: 'terminate-workflow' },
  ],
  instance: [
    { kind: 'entity', name: 'instance' },
    { kind: 'operation', name: 'start-process-instance' },
  ],
  restart: [{ kind: 'restart' }],
};

/** Ids of the clauses of the families an engine with these capabilities is checked on. */
export function clausesCheckedFor(capabilities: Capabilities): string[] {
  const families = checkedFamilies(capabilities);
  return clauses.filter((clause) => families.includes(clause.family)).map((clause) => clause.id);
}

/** The clause families an engine with these capabilities is checked on, in registry order. */
export function checkedFamilies(capabilities: Capabilities): ClauseFamily[] {
  return (Object.keys(familyRequirements) as ClauseFamily[]).filter((family) =>
    familyRequirements[family].every((requirement) => satisfies(capabilities, requirement)),
  );
}
