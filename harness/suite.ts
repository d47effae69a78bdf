/** Runs scenarios one after another against one engine command and gathers a SuiteResult, with its spec coverage. */
import type { CoverageMinimum } from './coverage/coverage-totals.ts';
import { coverageOf } from './coverage/spec-coverage.ts';
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
  /**
   * Scenarios run at once (count, default 1). Each has its own engine process, session
   * and trace; results keep the order of `scenarios` whatever order they finish in.
   */
  jobs?: number;
  /** Called as each scenario finishes (console progress). */
  onResult?: (result: ScenarioResult) => void;
  /** Keep no event the engine pushes (runScenario's `withholdEvents`). */
  withholdEvents?: boolean;
  /** `--coverage-min`: kept on the suite, whose exit code it then decides with the rest (`suiteExitCode`). */
  coverageMinimum?: CoverageMinimum;
}

export async function runSuite(scenarios: LoadedScenario[], options: RunSuiteOptions): Promise<SuiteResult> {
  const startedAt = new Date();
  const results: ScenarioResult[] = new Array(scenarios.length);
  const engine = options.engine ?? referenceEngineCommand();
  const pool = options.pool ?? new EnginePool(engine);
  let next = 0;
  // Each job takes the next scenario until none is left.
  const job = async () => {
    for (let index = next++; index < scenarios.length; index = next++) {
      const result = await runScenario(scenarios[index]!, {
        bug: options.bug,
        seed: options.seed,
        engine,
        pool,
        ...(options.traceDir === undefined ? {} : { traceDir: options.traceDir }),
        ...(options.withholdEvents ? { withholdEvents: true } : {}),
      });
      results[index] = result;
      options.onResult?.(result);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs ?? 1, scenarios.length)) }, job));
  } finally {
    if (!options.pool) await pool.close();
  }
  const suiteEngine = results.find((result) => result.engine?.capabilities)?.engine ?? results.find((result) => result.engine)?.engine ?? null;
  return {
    command: options.command,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    bug: options.bug,
    seed: options.seed,
    environment: environment(),
    engine: suiteEngine,
    results,
    coverage: coverageOf(results, suiteEngine?.capabilities ?? null),
    ...(options.coverageMinimum === undefined ? {} : { coverageMinimum: options.coverageMinimum }),
  };
}
