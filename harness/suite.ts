/** Runs scenarios one after another and gathers a SuiteResult. */
import type { BugProfileId } from '../engine/bugs/profiles.ts';
import { environment } from './environment.ts';
import type { ScenarioResult, SuiteResult } from './result.ts';
import { runScenario, type LoadedScenario } from './runner/run-scenario.ts';

export interface RunSuiteOptions {
  command: string;
  bug: BugProfileId | null;
  seed: number;
  traceDir?: string;
  /** Called as each scenario finishes (console progress). */
  onResult?: (result: ScenarioResult) => void;
}

export async function runSuite(scenarios: LoadedScenario[], options: RunSuiteOptions): Promise<SuiteResult> {
  const startedAt = new Date();
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const result = await runScenario(scenario, {
      bug: options.bug,
      seed: options.seed,
      ...(options.traceDir === undefined ? {} : { traceDir: options.traceDir }),
    });
    results.push(result);
    options.onResult?.(result);
  }
  return {
    command: options.command,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    bug: options.bug,
    seed: options.seed,
    environment: environment(),
    results,
  };
}
