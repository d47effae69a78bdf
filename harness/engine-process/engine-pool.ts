/**
 * Engines for a suite or a campaign. Starting an engine (process, runtime, handshake)
 * takes a few hundred ms, more than many generated scenarios last, so:
 * - an engine that declares `reset` and ended its scenario cleanly comes back to the pool
 *   (`release`) and serves the next scenario;
 * - otherwise the pool starts the next engine while the current scenario runs.
 * An idle engine is a process with its own session marker, not one of the current
 * scenario's processes; `close()` (or an interrupt) ends it.
 */
import type { EngineCommand } from './engine-command.ts';
import { EngineProcess } from './engine-process.ts';

export class EnginePool {
  private spare: Promise<EngineProcess> | null = null;
  /** Engines that were reset after their scenario, ready for the next ones. */
  private readonly idle: EngineProcess[] = [];

  constructor(private readonly command: EngineCommand) {}

  /**
   * The engine `take` will give next, started if none is: to read its handshake (name,
   * capabilities) before the first scenario without starting an engine just for that.
   * @throws EngineFaultError when it cannot be started or fails its handshake.
   */
  peek(): Promise<EngineProcess> {
    const reusable = this.idle.at(-1);
    if (reusable) return Promise.resolve(reusable);
    this.spare ??= EngineProcess.start({ command: this.command });
    return this.spare;
  }

  /**
   * An engine that has made its handshake, and the next one starting behind it.
   * @throws EngineFaultError when the engine cannot be started or fails its handshake.
   */
  async take(): Promise<EngineProcess> {
    const reused = this.idle.pop();
    if (reused) return reused;
    const taken = this.spare ?? EngineProcess.start({ command: this.command });
    this.spare = EngineProcess.start({ command: this.command });
    // A spare that fails is reported when it is taken, not as an unhandled rejection now.
    this.spare.catch(() => {});
    return taken;
  }

  /**
   * Give back an engine that was `reset` after its scenario and left nothing alive; it
   * serves a later scenario. A spare started meanwhile stays for later.
   */
  release(engine: EngineProcess): void {
    engine.detach();
    this.idle.push(engine);
  }

  /** End the idle engines and the spare, if any. Never throws. */
  async close(): Promise<void> {
    const spare = this.spare;
    const idle = this.idle.splice(0);
    this.spare = null;
    await Promise.all([...idle.map((engine) => engine.shutdown()), spare?.then((engine) => engine.shutdown()).catch(() => {})]);
  }
}
