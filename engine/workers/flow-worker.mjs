#!/usr/bin/env node
/**
 * flow-worker: the operating-system process of one flow run or Conductor task.
 *
 * It stands in for real work so the engine can be tested on real process trees: it
 * sleeps, starts one child worker per subflow plan (recursively), relays their stdout
 * lines, and exits with a chosen code. Plain JavaScript with Node built-ins only, so it
 * starts with `node flow-worker.mjs ...` and no loader.
 *
 * Arguments:
 *   --session <id>        marker that lets an observer find one engine instance's
 *                         processes in /proc; passed on to every child
 *   --owner <entityId>    run id or task id this process belongs to
 *   --duration-ms <n>     how long to sleep before exiting (ms, default 0)
 *   --exit-code <n>       exit code after a normal finish (default 0)
 *   --ignore-sigterm      SIGTERM does nothing; only SIGKILL ends the process
 *   --subflows <json>     JSON array of child plans
 *                         {owner, durationMs, exitCode, ignoreSigterm, subflows: [...]}
 *
 * Stdout carries JSON lines only:
 *   {"type":"started","owner":...,"pid":...,"parentPid":...}   once, at start
 *   {"type":"exited","owner":...,"pid":...,"code":...,"signal":...}   per child that ends
 * plus every line of every child, relayed verbatim. Exit code 2 means bad arguments.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** How long a terminated worker waits for its children before exiting anyway (ms). */
const childExitWaitMsMax = 2000;
/** Exit code after SIGTERM, as a shell reports a process killed by signal 15. */
const terminatedExitCode = 143;

const scriptPath = fileURLToPath(import.meta.url);

function fail(message) {
  process.stderr.write(`flow-worker: ${message}\n`);
  process.exit(2);
}

/** Parses a whole number of at least 0, or ends the process with exit code 2. */
function wholeNumber(name, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a whole number ≥ 0, got ${JSON.stringify(text)}`);
  return value;
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      session: { type: 'string' },
      owner: { type: 'string' },
      'duration-ms': { type: 'string', default: '0' },
      'exit-code': { type: 'string', default: '0' },
      'ignore-sigterm': { type: 'boolean', default: false },
      subflows: { type: 'string', default: '[]' },
    },
    strict: true,
  }));
} catch (error) {
  fail(error.message);
}
if (options.session === undefined) fail('--session is required');
if (options.owner === undefined) fail('--owner is required');
const durationMs = wholeNumber('--duration-ms', options['duration-ms']);
const exitCode = wholeNumber('--exit-code', options['exit-code']);
let subflowPlans;
try {
  subflowPlans = JSON.parse(options.subflows);
} catch (error) {
  fail(`--subflows is not JSON: ${error.message}`);
}
if (!Array.isArray(subflowPlans)) fail('--subflows must be a JSON array');

// When our parent has gone, writes to stdout fail with EPIPE. An orphan should keep
// behaving as planned (the engine may be testing exactly that), so the error is dropped.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

/** Writes one JSON line. Writes to a pipe are synchronous on Linux, so lines never split. */
function emit(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Children still running: pid → { child, exited: Promise<void> }. */
const liveChildren = new Map();
const childExits = [];

// The handler is installed before "started" is written, so anyone who saw "started" knows
// a SIGTERM will be handled as planned rather than by the default action.
if (options['ignore-sigterm']) {
  process.on('SIGTERM', () => {
    // Deliberately nothing: this worker models a process that only SIGKILL ends.
  });
} else {
  let terminating = false;
  process.on('SIGTERM', () => {
    if (terminating) return;
    terminating = true;
    for (const { child } of liveChildren.values()) child.kill('SIGTERM');
    const bound = new Promise((resolve) => setTimeout(resolve, childExitWaitMsMax));
    Promise.race([Promise.all(childExits), bound]).then(() => process.exit(terminatedExitCode));
  });
}

emit({ type: 'started', owner: options.owner, pid: process.pid, parentPid: process.ppid });

for (const plan of subflowPlans) {
  const args = [
    scriptPath,
    '--session', options.session,
    '--owner', String(plan.owner),
    '--duration-ms', String(plan.durationMs ?? 0),
    '--exit-code', String(plan.exitCode ?? 0),
    ...(plan.ignoreSigterm ? ['--ignore-sigterm'] : []),
    '--subflows', JSON.stringify(plan.subflows ?? []),
  ];
  // Not detached: children stay in our process group, so a group signal reaches them.
  // stderr is piped (not inherited) so no descendant holds our parent's pipes open.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('error', (error) => process.stderr.write(`flow-worker: cannot start subflow ${plan.owner}: ${error.message}\n`));
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    process.stdout.write(`${line}\n`);
  });
  child.stderr.pipe(process.stderr, { end: false });
  // 'close' (not 'exit') comes after the child's stdout has ended, so the "exited" line
  // follows every line the child relayed. Only this child holds that pipe, so it cannot stall.
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      liveChildren.delete(child.pid);
      emit({ type: 'exited', owner: String(plan.owner), pid: child.pid ?? null, code, signal });
      resolve();
    });
  });
  if (child.pid !== undefined) liveChildren.set(child.pid, { child, exited });
  childExits.push(exited);
}

setTimeout(async () => {
  await Promise.all(childExits);
  process.exit(exitCode);
}, durationMs);
