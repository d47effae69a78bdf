/**
 * What the HTML report inlines besides its data: the browser bundles of vega, vega-lite,
 * vega-embed and mermaid, read from node_modules when the report is written, and the
 * page's own script (page-script.mjs, beside this module, copied to dist/ by the build).
 * Inlined, not linked, so the report is one file that opens offline and fetches nothing.
 *
 * Packages are found with Node's resolution from this module (`createRequire`), so it
 * works from the sources (tsx) and from dist/ alike. vega, vega-lite and vega-embed do
 * not export their bundles (`exports` names only the entry), so each package's folder is
 * found from its entry: the nearest folder above it whose package.json has the package's
 * name.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InlinedLibrary {
  /** npm package name. */
  name: string;
  version: string;
  /** The browser bundle's JavaScript, as published. */
  code: string;
  /**
   * Run only when first needed, not while the page loads: mermaid's bundle is about ten
   * times vega's, and the diagrams are drawn after the timelines.
   */
  deferred: boolean;
}

export interface HtmlReportAssets {
  /** In load order: vega, vega-lite, vega-embed, mermaid. */
  libraries: InlinedLibrary[];
  /** The page's script (classic script, no imports). */
  pageScript: string;
}

/** The bundle of each package inlined, relative to the package's folder, in load order. */
export const inlinedBundles = [
  { name: 'vega', bundle: 'build/vega.min.js', deferred: false },
  { name: 'vega-lite', bundle: 'build/vega-lite.min.js', deferred: false },
  { name: 'vega-embed', bundle: 'build/vega-embed.min.js', deferred: false },
  { name: 'mermaid', bundle: 'dist/mermaid.min.js', deferred: true },
] as const;

const require = createRequire(import.meta.url);

/** Folders above a package's resolved entry are searched for its package.json up to this depth (count). */
const packageFolderDepthMax = 6;

/**
 * The folder of an installed package and its version.
 *
 * @throws Error naming the package when it is not installed or its folder is not found.
 */
function packageFolder(name: string): { folder: string; version: string } {
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch (error) {
    throw new Error(`HTML report: package '${name}' is not installed (run npm ci): ${(error as Error).message}`);
  }
  let folder = path.dirname(entry);
  for (let depth = 0; depth < packageFolderDepthMax; depth += 1) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === name) return { folder, version: manifest.version ?? 'unknown' };
    } catch {
      // No package.json here; look one folder up.
    }
    folder = path.dirname(folder);
  }
  throw new Error(`HTML report: no package.json named '${name}' above ${entry}`);
}

/** Reads the bundles and the page script. Rejects with the file system's error when one is missing. */
export async function readHtmlReportAssets(): Promise<HtmlReportAssets> {
  const libraries = await Promise.all(
    inlinedBundles.map(async ({ name, bundle, deferred }) => {
      const { folder, version } = packageFolder(name);
      return { name, version, deferred, code: await readFile(path.join(folder, bundle), 'utf8') };
    }),
  );
  const pageScript = await readFile(fileURLToPath(new URL('./page-script.mjs', import.meta.url)), 'utf8');
  return { libraries, pageScript };
}
