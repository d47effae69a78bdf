#!/usr/bin/env node
// Entry point: load TypeScript through tsx, run the CLI, exit with its code.
import { register } from 'tsx/esm/api';

// A reader that stops early (`flowconform clauses | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
