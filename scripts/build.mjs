#!/usr/bin/env node
/**
 * The build: compiles the runtime TypeScript to JavaScript in dist/, so the CLI and the
 * engine start without compiling anything (tests keep running the sources through tsx).
 * `npm ci` runs it (npm's `prepare`), `npm start` runs it first (`prestart`), and so does
 * the test run (test/support/build.ts), since tests spawn the built CLI and engine.
 *
 * Steps:
 * 1. `tsc -b tsconfig.build.json` through the compiler API: incremental, with the build
 *    info in dist/, so an up-to-date build only compares timestamps (about 0.1 s, after
 *    about 1 s spent loading the compiler) and deleting dist/ forces a full build. Every file is written to a temporary name and
 *    renamed, so a CLI or engine started meanwhile (another test run in the same checkout)
 *    never imports a half-written module. A type error fails the build (exit 1), though
 *    tsc has still written the JavaScript.
 * 2. Copies the non-TypeScript runtime files of the same folders (`.mjs`, `.cjs`, `.json`:
 *    engine/workers/flow-worker.mjs, which the engine spawns by a path relative to its own
 *    module, and schema files) to the same place under dist/.
 * 3. Deletes files under dist/ whose source is gone (a module moved or removed), and
 *    temporary files a killed build left.
 * Concurrent builds in one checkout (two test runs) take turns through a lock directory.
 *
 * Usage: node scripts/build.mjs [--quiet] [--warn-on-type-errors]
 *   --quiet                 print nothing unless something is wrong
 *   --warn-on-type-errors   exit 0 when tsc reported errors but wrote the JavaScript
 *                           (npm `prepare`: so that `npm ci` in .ci/run still reaches the
 *                           test run, which reports the failed build in its count line)
 * Exit codes: 0 built or up to date, 1 build failed (diagnostics on stderr).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const configPath = path.join(root, 'tsconfig.build.json');
const outDir = path.join(root, 'dist');
const lockDir = path.join(outDir, '.build-lock');
/** Extensions of source files copied as they are. */
const assetExtensions = new Set(['.mjs', '.cjs', '.json']);
/** Written after a clean build; a build whose inputs are all older than it has nothing to do. */
const stampFile = path.join(outDir, '.inputs-stamp');
/** Files under dist/ that have no source and stay. */
const ownFiles = new Set(['tsconfig.build.tsbuildinfo', '.inputs-stamp']);
/** How long to wait for another build's lock before giving up (ms), and when a lock is stale. */
const lockWaitMsMax = 300_000;
const lockStaleMs = 600_000;

const quiet = process.argv.includes('--quiet');
const warnOnTypeErrors = process.argv.includes('--warn-on-type-errors');
const startedAt = performance.now();

function fail(message) {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

let tempCounter = 0;
/** Writes `data` to `file` by a rename, so readers see the old or the new file, never part of one. */
function writeAtomically(file, data) {
  const temporary = `${file}.${process.pid}.${tempCounter++}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Takes the lock directory (waiting for another build of this checkout); returns its release. */
function acquireLock() {
  mkdirSync(outDir, { recursive: true });
  const deadline = Date.now() + lockWaitMsMax;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let holder = null;
    try {
      holder = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    } catch {
      // Just made, pid not written yet; or just released.
    }
    let stale = holder !== null && !isAlive(holder);
    try {
      stale ||= Date.now() - statSync(lockDir).mtimeMs > lockStaleMs;
    } catch {
      // Released meanwhile.
    }
    if (stale) rmSync(lockDir, { recursive: true, force: true });
    else if (Date.now() > deadline) fail(`another build (pid ${holder}) still holds ${lockDir} after ${lockWaitMsMax} ms; delete it if no build runs`);
    else Atomics.wait(pause, 0, 0, 100);
  }
}

/**
 * Step 1: tsc -b. Returns 'ok', 'source-errors' (errors in source files only: tsc has
 * written the JavaScript anyway, as noEmitOnError is off) or 'failed' (a configuration
 * error, say: nothing may have been written).
 */
function compile() {
  const system = { ...ts.sys, writeFile: (file, data, writeBom) => writeAtomically(file, writeBom ? `\uFEFF${data}` : data) };
  const formatHost = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  const pretty = process.stderr.isTTY === true;
  const diagnostics = [];
  const reportDiagnostic = (diagnostic) => diagnostics.push(diagnostic);
  const host = ts.createSolutionBuilderHost(system, ts.createEmitAndSemanticDiagnosticsBuilderProgram, reportDiagnostic);
  const status = ts.createSolutionBuilder(host, [configPath], {}).build();
  if (diagnostics.length > 0) {
    const format = pretty ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
    process.stderr.write(format(diagnostics, formatHost));
  }
  if (status === ts.ExitStatus.Success) return 'ok';
  const inSource = (diagnostic) => diagnostic.file !== undefined && !diagnostic.file.fileName.endsWith('.json');
  const errors = diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  return errors.length > 0 && errors.every(inSource) ? 'source-errors' : 'failed';
}

/** The folders tsconfig.build.json compiles (its `include`), those that exist. */
function runtimeFolders() {
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) fail(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return existingFolders(config.include);
}

function existingFolders(folders) {
  return folders.filter((folder) => {
    try {
      return statSync(path.join(root, folder)).isDirectory();
    } catch {
      return false;
    }
  });
}

/** Every file under `directory` (absolute paths). */
function* walk(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/** Step 2: copies assets whose copy is missing or differs. */
function copyAssets(folders) {
  let copied = 0;
  for (const folder of folders) {
    for (const source of walk(path.join(root, folder))) {
      if (!assetExtensions.has(path.extname(source))) continue;
      const target = path.join(outDir, path.relative(root, source));
      const sourceStat = statSync(source);
      try {
        const targetStat = statSync(target);
        if (targetStat.size === sourceStat.size && targetStat.mtimeMs >= sourceStat.mtimeMs) continue;
      } catch {
        // Not copied yet.
      }
      mkdirSync(path.dirname(target), { recursive: true });
      const temporary = `${target}.${process.pid}.tmp`;
      copyFileSync(source, temporary);
      renameSync(temporary, target);
      copied += 1;
    }
  }
  return copied;
}

/** The source files a file under dist/ can come from. */
function sourcesOf(relative) {
  if (relative.endsWith('.map')) return sourcesOf(relative.slice(0, -'.map'.length));
  const declaration = /\.d\.([cm]?)ts$/.exec(relative);
  if (declaration !== null) return sourcesOf(`${relative.slice(0, declaration.index)}.${declaration[1]}js`);
  const extension = path.extname(relative);
  const stem = relative.slice(0, relative.length - extension.length);
  switch (extension) {
    case '.js':
      return [`${stem}.ts`, `${stem}.tsx`];
    case '.mjs':
      return [`${stem}.mts`, relative];
    case '.cjs':
      return [`${stem}.cts`, relative];
    default:
      return [relative];
  }
}

function exists(file) {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Step 3: deletes outputs whose source is gone, and folders left empty; returns how many files. */
function prune(directory = outDir) {
  let removed = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (full === lockDir) continue;
    if (entry.isDirectory()) {
      removed += prune(full);
      if (readdirSync(full).length === 0) rmdirSync(full);
      continue;
    }
    const relative = path.relative(outDir, full);
    if (ownFiles.has(relative)) continue;
    if (!sourcesOf(relative).some((source) => exists(path.join(root, source)))) {
      unlinkSync(full);
      removed += 1;
    }
  }
  return removed;
}

/**
 * The fast path: when the stamp of the last clean build is newer than every input (each
 * file and folder under the compiled folders, so adding or deleting a file counts, and
 * the tsconfig files and package.json), nothing can have changed, and the compiler (about
 * a second to load) is not even loaded. Any doubt (no stamp, an unreadable config) builds.
 */
function inputsOlderThanStamp() {
  let stampMs;
  try {
    stampMs = statSync(stampFile).mtimeMs;
    const { include } = JSON.parse(readFileSync(configPath, 'utf8'));
    const inputs = [configPath, path.join(root, 'tsconfig.json'), path.join(root, 'package.json')];
    for (const input of inputs) if (statSync(input).mtimeMs > stampMs) return false;
    for (const folder of existingFolders(include)) {
      for (const entry of walkWithFolders(path.join(root, folder))) if (statSync(entry).mtimeMs > stampMs) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Every file and folder under `directory` (absolute paths), the folder itself first. */
function* walkWithFolders(directory) {
  yield directory;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) yield* walkWithFolders(full);
    else if (entry.isFile()) yield full;
  }
}

if (inputsOlderThanStamp()) {
  if (!quiet) process.stdout.write(`build: dist/ up to date (${Math.round(performance.now() - startedAt)} ms; no input changed since the last build)\n`);
  process.exit(0);
}
const { default: ts } = await import('typescript');
const release = acquireLock();
let outcome;
let copied;
let removed;
try {
  outcome = compile();
  copied = copyAssets(runtimeFolders());
  removed = prune();
} finally {
  release();
}
const ms = Math.round(performance.now() - startedAt);
if (outcome === 'source-errors') {
  const message = `type errors above (${ms} ms); dist/ holds the JavaScript of the erroneous sources`;
  if (!warnOnTypeErrors) fail(`failed: ${message}`);
  process.stderr.write(`build: warning: ${message}\n`);
} else if (outcome === 'failed') {
  fail(`failed: errors above (${ms} ms); dist/ may be stale`);
} else {
  // Only a clean build may let the next one skip the compiler.
  writeFileSync(stampFile, `${new Date().toISOString()}\n`);
}
if (!quiet) process.stdout.write(`build: dist/ up to date (${ms} ms; ${copied} file(s) copied, ${removed} stale file(s) removed)\n`);
