#!/usr/bin/env node
/**
 * The flowconform entry point, compiled to dist/bin/flowconform.js (scripts/build.mjs);
 * bin/flowconform.js, the published bin, runs that. It loads only what the command needs:
 * `flowconform engine …` the engine server, `flowconform bullmq …` the BullMQ adapter
 * (adapters/bullmq/), anything else the CLI (harness/cli/main.ts).
 */

/** `flowconform engine [args]`: the engine server on stdin/stdout (engine/server.ts). */
async function engine(argv: string[]): Promise<number> {
  const { main } = await import('../engine/server.ts');
  return main(argv);
}

/** `flowconform bullmq [options]`: BullMQ on Redis behind the engine protocol (adapters/bullmq/adapter.ts). */
async function bullmq(argv: string[]): Promise<number> {
  const { main } = await import('../adapters/bullmq/adapter.ts');
  return main(argv);
}

/** Anything else: the command line. */
async function cli(argv: string[]): Promise<number> {
  // A reader that stops early (`flowconform clauses | head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const { exitCleanlyOnInterrupt } = await import('../harness/engine-process/interrupt.ts');
  exitCleanlyOnInterrupt();
  const { main } = await import('../harness/cli/main.ts');
  return main(argv);
}

const argv = process.argv.slice(2);
process.exitCode = argv[0] === 'engine' ? await engine(argv.slice(1)) : argv[0] === 'bullmq' ? await bullmq(argv.slice(1)) : await cli(argv);
