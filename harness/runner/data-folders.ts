/**
 * The folders in which engines that can restart keep their state (one per scenario run,
 * under the operating system's temporary folder). Each is removed when its scenario ends;
 * those of scenarios cut short by Ctrl-C or SIGTERM are removed by the interrupt handler
 * once every engine is dead (harness/engine-process/interrupt.ts). After a SIGKILL of the
 * harness nothing can remove them.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const liveFolders = new Set<string>();

/** Make a new, empty data folder (`<tmp>/flowconform-data-XXXXXX`). @returns its path. */
export async function makeDataFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'flowconform-data-'));
  liveFolders.add(folder);
  return folder;
}

/** Remove a data folder and everything in it; a folder already gone is no error. */
export async function removeDataFolder(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true, maxRetries: 3 });
  liveFolders.delete(folder);
}

/** Remove every data folder not removed yet, synchronously (for the exit path). Never throws. */
export function removeAllDataFolders(): void {
  for (const folder of liveFolders) {
    try {
      rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Best effort on the way out: the exit code says what happened.
    }
    liveFolders.delete(folder);
  }
}
