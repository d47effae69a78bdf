/**
 * Ctrl-C (SIGINT) or SIGTERM to the harness: end every engine it started, with every
 * process of their sessions, remove their data folders, then exit 130 / 143 (128 + the signal's number). Without
 * this, Node's default would exit at once and leave the engines' worker processes
 * running. A second signal while the first is handled exits at once.
 */

/** Exit codes after an interrupt (128 + signal number). */
export const interruptExitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

let installed = false;

/** Install the handlers once per process; the CLI's entry point does (bin/flowconform.ts), not `main()`, which tests call in-process. */
export function exitCleanlyOnInterrupt(): void {
  if (installed) return;
  installed = true;
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      const code = interruptExitCodes[signal];
      if (interrupted) process.exit(code);
      interrupted = true;
      process.stderr.write(`flowconform: ${signal}: ending the engine and its processes\n`);
      // Loaded here, not up front: a command that starts no engine (`--help`) need not load it.
      // The engines' data folders go once the engines are dead and write nothing more.
      void import('./engine-process.ts')
        .then(({ killAllEngines }) => killAllEngines())
        .catch(() => {})
        .then(() => import('../runner/data-folders.ts'))
        .then(({ removeAllDataFolders }) => removeAllDataFolders())
        .finally(() => process.exit(code));
    });
  }
}
