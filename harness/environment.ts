import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Environment } from './result.ts';

let cached: Environment | undefined;

/** Node version, OS and the git commit of the checkout (null outside git), read once. */
export function environment(): Environment {
  if (cached) return cached;
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 }).toString().trim() || null;
  } catch {
    commit = null;
  }
  cached = { node: process.version, os: `${os.platform()} ${os.release()} ${os.arch()}`, commit };
  return cached;
}
