/**
 * Engines started one scenario ahead. Every scenario gets a fresh engine process, and
 * starting one (process, runtime, handshake) takes a few hundred ms; the pool starts the
 * next engine while the current scenario runs, so a suite or a campaign does not wait for
 * it. The spare is an idle process with its own session marker: it is not one of the
 * current scenario's processes, and `close()` (or an interrupt) ends it.
 */
import type { EngineCommand } from './engine-command.ts';
import { EngineProcess } from './engine-process.ts';

export class EnginePool {
  private spare: Promise<EngineProcess> | null = null;

  constructor(private readonly command: EngineCommand) {}

  /**
   * The engine `take` will give next, started if none is: to read its handshake (name,
   * capabilities) before the first scenario without starting an engine just for that.
   * @throws EngineFaultError when it cannot be started or fails its handshake.
   */
  peek(): Promise<EngineProcess> {
    this.spare ??= EngineProcess.start({ command: this.command });
    return this.spare;
  }

  /**
   * An engine that has made its handshake, and the next one starting behind it.
   * @throws EngineFaultError when the engine cannot be started or fails its handshake.
   */
  async take(): Promise<EngineProcess> {
    const taken = this.spare ?? EngineProcess.start({ command: this.command });
    this.spare = EngineProcess.start({ command: this.command });
    // A spare that fails is reported when it is taken, not as an unhandled rejection now.
    this.spare.catch(() => {});
    return taken;
  }

  /** End the spare, if any. Never throws. */
  async close(): Promise<void> {
    const spare = this.spare;
    this.spare = null;
    if (spare) await spare.then((engine) => engine.kill()).catch(() => {});
  }
}
