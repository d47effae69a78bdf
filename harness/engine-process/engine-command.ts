/**
 * Which engine to start: the reference engine by default, or any command given with
 * `--engine`. The command is split into an argument array here (quotes and backslashes
 * as a POSIX shell reads them, by shell-quote's parser) and started without a shell.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'shell-quote';

export interface EngineCommand {
  /** Program to start. */
  command: string;
  args: string[];
  /** How it is named until its handshake gives a name. */
  label: string;
}

/** The package root: the nearest folder above this file with flowconform's package.json. */
export function packageRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(directory, 'package.json')) || path.basename(directory) === 'dist') {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error('packageRoot: no package.json above the harness');
    directory = parent;
  }
  return directory;
}

/**
 * The reference engine: `node dist/bin/flowconform.js engine`, the built JavaScript (it
 * starts in well under a second; the TypeScript source would be compiled at every start).
 */
export function referenceEngineCommand(): EngineCommand {
  const bin = path.join(packageRoot(), 'dist', 'bin', 'flowconform.js');
  return { command: process.execPath, args: [bin, 'engine'], label: 'flowconform-reference' };
}

/**
 * `--engine "<command>"` → an argument array. Shell operators (`|`, `>`, `&&`, globs,
 * `$VAR`) are refused: nothing is run through a shell, so they would not mean what they say.
 * @throws Error naming the operator when the command holds one, or when it is empty.
 */
export function parseEngineCommand(text: string): EngineCommand {
  const words = parse(text, (name) => `$${name}`);
  const argv: string[] = [];
  for (const word of words) {
    if (typeof word !== 'string') {
      const what = 'op' in word ? word.op : 'comment' in word ? `#${word.comment}` : JSON.stringify(word);
      throw new Error(`--engine: '${what}' is shell syntax; the engine command is started without a shell, give the program and its arguments only`);
    }
    if (word.includes('$')) throw new Error(`--engine: '${word}' refers to a variable; the engine command is started without a shell`);
    argv.push(word);
  }
  const [command, ...args] = argv;
  if (command === undefined || command === '') throw new Error('--engine: the command is empty');
  return { command, args, label: argv.join(' ') };
}
