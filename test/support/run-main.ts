/** Runs the CLI's `main(argv)` in the test process and captures what it prints. */
import { vi } from 'vitest';
import { main } from '../../harness/cli/main.ts';

export interface MainOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `main(argv)` with console and stdout/stderr captured; returns its exit code and the text. */
export async function runMain(argv: string[]): Promise<MainOutcome> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const text = (args: unknown[]) => `${args.map(String).join(' ')}\n`;
  const spies = [
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void stdout.push(text(args))),
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void stderr.push(text(args))),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0),
  ];
  try {
    const code = await main(argv);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
