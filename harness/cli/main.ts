/**
 * The flowconform command line (DESIGN.md "Command line"; CI scripts depend on it).
 * Exit codes: 0 conformant, 1 a clause violated, 2 invalid input or usage,
 * 3 inconclusive (engine crashed or hung, harness fault).
 */
import { writeFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { ScenarioError } from '../../scenarios/schema/load.ts';
import { scenarioJsonSchema } from '../../scenarios/schema/json-schema.ts';
import { checkCommand } from './commands/check.ts';
import { exploreCommand } from './commands/explore.ts';
import { bugsCommand, clausesCommand } from './commands/inventory.ts';
import { runCommand } from './commands/run.ts';
import { exitCodes, UsageError } from './exit-codes.ts';

const defaultOut = 'reports/out';

function withCommonOptions(command: Command): Command {
  return command
    .addOption(new Option('--bug <profile>', 'run the engine with an upstream defect switched on (see `flowconform bugs`)'))
    .addOption(new Option('--out <dir>', 'where reports and traces are written').default(defaultOut))
    .addOption(new Option('--seed <n>', 'seed of generation (explore) and of the engine\'s Rng port'));
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('flowconform')
    .description('Simulation and conformance test harness for workflow orchestrators')
    .exitOverride()
    .showHelpAfterError();

  withCommonOptions(program.command('run').description('run scripted scenarios (default: scenarios/)').argument('[paths...]', 'scenario files or folders')).action(
    async (paths: string[], options) => setExitCode(await runCommand('run', paths, options)),
  );
  withCommonOptions(program.command('replay').description('replay a scenario or a saved counterexample').argument('<file>', 'scenario file')).action(
    async (file: string, options) => setExitCode(await runCommand('replay', [file], options)),
  );
  withCommonOptions(
    program
      .command('explore')
      .description('random campaigns: generate scenarios, stop at the first violation, shrink it')
      .option('--runs <n>', 'scenarios to try at most', '300')
      .option('--time-limit <duration>', 'time budget of the search (180s, 3m, 1500ms)', '180s')
      .option('--shrink-time-limit <duration>', 'time budget of shrinking after a violation', '120s')
      .option('--dry-run', 'print the generated scenarios without running them'),
  ).action(async (options) => setExitCode(await exploreCommand(options)));
  program
    .command('check')
    .description('re-check a stored trace (JSON lines)')
    .argument('<trace>', 'trace.jsonl')
    .option('--json', 'print verdicts as JSON')
    .action(async (file: string, options) => setExitCode(await checkCommand(file, options)));
  program
    .command('clauses')
    .description('list the clauses')
    .option('--json', 'as JSON')
    .action((options) => setExitCode(clausesCommand(options)));
  program
    .command('bugs')
    .description('list the bug profiles')
    .option('--json', 'as JSON')
    .action((options) => setExitCode(bugsCommand(options)));
  program
    .command('schema')
    .description('print (or write) the JSON Schema of scenario files')
    .option('--out <file>', 'write it to this file')
    .action(async (options: { out?: string }) => {
      const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
      if (options.out) await writeFile(options.out, text);
      else process.stdout.write(text);
      setExitCode(exitCodes.conformant);
    });
  return program;
}

/** Parse `argv`, run the command, and return its exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  let code: number = exitCodes.conformant;
  const program = buildProgram((value) => {
    code = value;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0 through here; every other parse error is usage.
      return error.exitCode === 0 ? exitCodes.conformant : exitCodes.invalidInput;
    }
    if (error instanceof ScenarioError || error instanceof UsageError) {
      console.error(`flowconform: ${error.message}`);
      return exitCodes.invalidInput;
    }
    console.error(`flowconform: harness fault: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return exitCodes.inconclusive;
  }
}
