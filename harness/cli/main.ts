/**
 * The flowconform command line (docs/architecture.md "Command line"; CI scripts depend on it).
 * Exit codes: 0 conformant, 1 a clause violated, 2 invalid input or usage,
 * 3 inconclusive (engine crashed or hung, harness fault).
 */
import { writeFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { exitCodes, UsageError } from './exit-codes.ts';
import { EngineFaultError } from '../engine-process/engine-fault.ts';
// Command modules (and the scenario schema: zod, yaml, fast-check, xstate, reports) load
// in the action that needs them, so `--help` and usage errors start fast.

const defaultOut = 'reports/out';

const coverageMinHelp =
  'exit 1 when spec coverage falls short: a percent for states, transitions and clauses (80) or per measure (clauses=100,transitions=60,states=90)';

function withCommonOptions(command: Command): Command {
  return command
    .addOption(new Option('--bug <profile>', 'run the engine with an upstream defect switched on (see `flowconform bugs`)'))
    .addOption(new Option('--out <dir>', 'where reports and traces are written').default(defaultOut))
    .addOption(new Option('--seed <n>', 'seed of generation (explore) and of the engine\'s Rng port'))
    .addOption(new Option('--engine <command>', 'the engine to check: a command speaking the engine protocol (default: the reference engine)'))
    .addOption(new Option('--withhold-events', 'keep no event the engine pushes: judge from requests, read-backs and /proc alone'))
    .addOption(new Option('--shard <i/n>', 'run shard i of n: run splits scenarios by file, explore splits the seed\'s runs by range (CI matrices; combine with `flowconform merge`)'));
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('flowconform')
    .description('Simulation and conformance test harness for workflow orchestrators')
    .exitOverride()
    .showHelpAfterError();

  withCommonOptions(
    program
      .command('run')
      .description('run scripted scenarios (default: scenarios/)')
      .argument('[paths...]', 'scenario files or folders')
      .option('--jobs <n>', 'scenarios run at once, each on its own engine process (default 1)')
      .option('--coverage-min <spec>', coverageMinHelp),
  ).action(
    async (paths: string[], options) => {
      const { runCommand } = await import('./commands/run.ts');
      setExitCode(await runCommand('run', paths, options));
    },
  );
  withCommonOptions(program.command('replay').description('replay a scenario or a saved counterexample').argument('<file>', 'scenario file')).action(
    async (file: string, options) => {
      const { runCommand } = await import('./commands/run.ts');
      setExitCode(await runCommand('replay', [file], options));
    },
  );
  withCommonOptions(
    program
      .command('explore')
      .description('random campaigns: generate scenarios, stop at the first violation, shrink it')
      .option('--runs <n>', 'scenarios to try at most', '300')
      .option('--time-limit <duration>', 'time budget of the search (180s, 3m, 1500ms)', '180s')
      .option('--shrink-time-limit <duration>', 'time budget of shrinking after a violation', '120s')
      .option('--dry-run', 'print the generated scenarios without running them')
      .option('--stop-on-inconclusive', 'end the campaign at the first inconclusive run and report it (exit 3)')
      .option('--accept <clauses>', 'clause ids (comma-separated) judged already as intended behaviour: runs violating only these are counted, and the campaign goes on')
      .option('--stats', 'after the campaign, print each clause with the share of runs that exercised it (clauses under 5% marked)')
      .option('--coverage-min <spec>', coverageMinHelp),
  ).action(async (options) => {
    const { exploreCommand } = await import('./commands/explore.ts');
    setExitCode(await exploreCommand(options));
  });
  program
    .command('merge')
    .description('combine the reports of the shards of one suite or campaign (--shard i/n) into one')
    .argument('<dirs...>', 'the shards\' --out directories')
    .addOption(new Option('--out <dir>', 'where the merged reports are written').default(defaultOut))
    .action(async (directories: string[], options) => {
      const { mergeCommand } = await import('./commands/merge.ts');
      setExitCode(await mergeCommand(directories, options));
    });
  program
    .command('check')
    .description('re-check a stored trace (JSON lines)')
    .argument('<trace>', 'trace.jsonl')
    .option('--json', 'print verdicts as JSON')
    .action(async (file: string, options) => {
      const { checkCommand } = await import('./commands/check.ts');
      setExitCode(await checkCommand(file, options));
    });
  program
    .command('clauses')
    .description('list the clauses')
    .option('--json', 'as JSON')
    .action(async (options) => {
      const { clausesCommand } = await import('./commands/inventory.ts');
      setExitCode(clausesCommand(options));
    });
  program
    .command('bugs')
    .description('list the bug profiles an engine offers (read from its handshake)')
    .option('--json', 'as JSON')
    .option('--engine <command>', 'the engine to ask (default: the reference engine)')
    .action(async (options) => {
      const { bugsCommand } = await import('./commands/inventory.ts');
      setExitCode(await bugsCommand(options));
    });
  program
    .command('engine')
    .description('serve the reference engine on stdin/stdout (the engine protocol, docs/engine-protocol.md)')
    .action(() => {
      // bin/flowconform.js serves `engine` before this parser is loaded; reaching here means
      // the CLI was called some other way, which has no engine to serve.
      console.error('flowconform engine: start it through the flowconform bin');
      setExitCode(exitCodes.invalidInput);
    });
  program
    .command('spec')
    .description('print the machines (states, named sub-states, final states, legal moves) and the causes a trace may give')
    .option('--json', 'as JSON')
    .option('--mermaid', 'the machines as Mermaid state diagrams, one fenced block per machine (Markdown)')
    .action(async (options) => {
      const { specCommand } = await import('./commands/spec.ts');
      setExitCode(specCommand(options));
    });
  program
    .command('schema')
    .description('print (or write) the JSON Schema of scenario files')
    .option('--out <file>', 'write it to this file')
    .action(async (options: { out?: string }) => {
      const { scenarioJsonSchema } = await import('../../scenarios/schema/json-schema.ts');
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
    if (error instanceof EngineFaultError) {
      console.error(`flowconform: ${error.message}`);
      return exitCodes.inconclusive;
    }
    // ScenarioError (scenarios/schema/load.ts) by its name: this path must load no module.
    if ((error instanceof Error && error.name === 'ScenarioError') || error instanceof UsageError) {
      console.error(`flowconform: ${error.message}`);
      return exitCodes.invalidInput;
    }
    console.error(`flowconform: harness fault: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return exitCodes.inconclusive;
  }
}
