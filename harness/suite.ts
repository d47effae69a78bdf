/** Runs scenarios one after another against one engine command and gathers a SuiteResult. */
import { referenceEngineCommand, type EngineCommand } from './engine-process/engine-command.ts';
import { EnginePool } from './engine-process/engine-pool.ts';
import { environment } from './environment.ts';
import type { ScenarioResult, SuiteResult } from './result.ts';
import { runScenario, type LoadedScenario } from './runner/run-scenario.ts';

export interface RunSuiteOptions {
  command: string;
  /** The engine under test; the reference engine when absent. */
  engine?: EngineCommand;
  /** Engines of `engine` started ahead; the suite makes (and closes) its own when absent. */
  pool?: EnginePool;
  bug: string | null;
  seed: number;
  traceDir?: string;
  /** Called as each scenario finishes (console progress). */
  onResult?: (result: ScenarioResult) => void;
}

export async function runSuite(scenarios: LoadedScenario[], options: RunSuiteOptions): Promise<SuiteResult> {
  const startedAt = new Date();
  const results: ScenarioResult[] = [];
  const engine = options.engine ?? referenceEngineCommand();
  const pool = options.pool ?? new EnginePool(engine);
  try {
    for (const scenario of scenarios) {
      const result = await runScenario(scenario, {
        bug: options.bug,
        seed: options.seed,
        engine,
        pool,
        ...(options.traceDir === undefined ? {} : { traceDir: options.traceDir }),
      });
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    if (!options.pool) await pool.close();
  }
  return {
    command: options.command,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    bug: options.bug,
    seed: options.seed,
    environment: environment(),
    engine: results.find((result) => result.engine?.capabilities)?.engine ?? results.find((result) => result.engine)?.engine ?? null,
    results,
  };
}
