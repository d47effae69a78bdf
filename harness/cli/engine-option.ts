/**
 * `--engine <command>` and `--bug <profile>`: which engine the harness checks, and which
 * defect, if any, it switches on. Before a run the engine is started once to read its
 * handshake, so an unknown bug profile or an engine that cannot start is reported before
 * any scenario runs.
 */
import type { BugProfileDescription, Capabilities } from '../../protocol/capabilities.ts';
import { parseEngineCommand, referenceEngineCommand, type EngineCommand } from '../engine-process/engine-command.ts';
import type { EnginePool } from '../engine-process/engine-pool.ts';
import { UsageError } from './exit-codes.ts';

/** The engine a command checks: `--engine` split into an argument array, or the reference engine. @throws UsageError on shell syntax. */
export function engineFromOption(text: string | undefined): EngineCommand {
  if (text === undefined) return referenceEngineCommand();
  try {
    return parseEngineCommand(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** What the probe learnt: the engine's name, version and the bug profiles it offers. */
export interface EngineProbe {
  name: string;
  version: string;
  bugs: BugProfileDescription[];
  capabilities: Capabilities;
}

/**
 * Read the handshake of the pool's next engine (which then runs the first scenario).
 * @throws EngineFaultError when it cannot be started or breaks the handshake (exit 3);
 *   UsageError when `bug` is not one of the profiles it offers (exit 2).
 */
export async function probeEngine(pool: EnginePool, bug: string | null): Promise<EngineProbe> {
  const engine = await pool.peek();
  const bugs = engine.capabilities?.bugs ?? [];
  if (bug !== null && !bugs.some((profile) => profile.id === bug)) {
    const known = bugs.length === 0 ? 'it offers none' : `known: ${bugs.map((profile) => profile.id).join(', ')}`;
    throw new UsageError(`--bug: engine ${engine.name} has no bug profile '${bug}' (${known})`);
  }
  return { name: engine.name, version: engine.version, bugs, capabilities: engine.capabilities! };
}

