import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version of the flowconform package, read from the nearest package.json above this
 * file (the source tree and the built `dist/` both sit under the package root).
 * Returns `0.0.0-unknown` when none is found.
 */
export function packageVersion(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'flowconform' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No manifest here; look in the parent.
    }
    const parent = path.dirname(directory);
    if (parent === directory) return '0.0.0-unknown';
    directory = parent;
  }
}
