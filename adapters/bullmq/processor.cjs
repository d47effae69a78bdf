'use strict';
/**
 * The sandboxed processor of the flowconform BullMQ adapter. BullMQ forks a child process
 * (its child pool) that loads this file and calls the exported function once per job; a
 * pooled child serves job after job.
 *
 * Per attempt it:
 * 1. refuses a job whose data carries `cancelRequested` (the adapter's cancel reached it
 *    while it was still waiting): the job fails with a cancel error;
 * 2. starts the job's work as a process of its own (work.cjs), leading its own process
 *    group, with a pipe on its stdin so the work dies with this process, and waits for
 *    its `ready` line (its signal handling is set);
 * 3. reports, through BullMQ (`job.updateProgress`), the pid of this process, the pid of
 *    the work process and the attempt it belongs to (`attemptsStarted`, which also counts
 *    a run again after a stall): the adapter's `processes` and
 *    `query` answers are derived from that stored progress, not from a map of its own;
 * 4. on BullMQ's cancel signal (`Worker.cancelJob`, BullMQ 5.64 and later) sends SIGTERM
 *    to the work's process group, waits `graceMs`, then SIGKILL, and fails the job with a
 *    cancel error;
 * 5. otherwise resolves when the work exits 0, and throws when it exits otherwise.
 *
 * When the IPC channel to the worker closes (the adapter was killed), it kills its work
 * and exits: a processor whose worker is gone has nobody to report to.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const workFile = path.join(__dirname, 'work.cjs');
/** How long the work process may take to start and set its signal handling (ms). */
const workReadyMsMax = 10_000;
/** Work processes of this child that are still running, for the disconnect handler. */
const running = new Set();
/** Prefix of the failure message of a cancelled job; the adapter reads the cancel from the job's data, not from this. */
const cancelMessage = 'cancelled by Worker.cancelJob';

/**
 * The error a cancelled job fails with. Named `UnrecoverableError`, as BullMQ's guide on
 * cancelling jobs asks, so that BullMQ does not retry it (the name survives the trip from
 * the sandbox to the worker, which tests the name).
 */
function cancelled(detail) {
  const error = new Error(`${cancelMessage}${detail}`);
  error.name = 'UnrecoverableError';
  return error;
}

process.on('disconnect', () => {
  for (const work of running) signalGroup(work, 'SIGKILL');
  process.exit(1);
});

/** A signal to the work's process group; false when it is gone already. */
function signalGroup(work, signal) {
  try {
    process.kill(-work.pid, signal);
    return true;
  } catch {
    return false;
  }
}

module.exports = async function flowconformProcessor(job, _token, signal) {
  const plan = job.data;
  if (plan.cancelRequested) throw cancelled(' before it started');
  const work = spawn(process.execPath, [workFile, JSON.stringify({ durationMs: plan.durationMs, exitCode: plan.exitCode, ignoreSigterm: plan.ignoreSigterm })], {
    detached: true,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => work.once('exit', (code, signalName) => resolve({ code, signalName })));
  // Started, and its signal handling in place (its `ready` line), or exited or failed to start first.
  const ready = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), workReadyMsMax);
    work.stdout.once('data', () => resolve(true));
    work.once('error', () => resolve(false));
    work.once('exit', () => resolve(false));
    exited.finally(() => clearTimeout(timer));
    work.stdout.once('data', () => clearTimeout(timer));
  });
  running.add(work);
  if (!ready) {
    signalGroup(work, 'SIGKILL');
    running.delete(work);
    throw new Error(`the work process of job ${job.id} did not start within ${workReadyMsMax} ms`);
  }
  work.stdout.resume();
  let cancelReason = null;
  const onAbort = () => {
    cancelReason = String(signal.reason ?? 'cancel');
    signalGroup(work, 'SIGTERM');
    setTimeout(() => signalGroup(work, 'SIGKILL'), plan.graceMs ?? 800).unref();
  };
  try {
    await job.updateProgress({ pid: process.pid, workPid: work.pid, attempt: job.attemptsStarted });
    if (signal) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    const { code, signalName } = await exited;
    if (cancelReason !== null) throw cancelled(`: ${cancelReason}`);
    if (signalName) throw new Error(`work process ${work.pid} was ended by ${signalName}`);
    if (code !== 0) throw new Error(`work process ${work.pid} exited with code ${code}`);
    return { exitCode: 0 };
  } finally {
    running.delete(work);
    signal?.removeEventListener?.('abort', onAbort);
    if (work.exitCode === null && work.signalCode === null) signalGroup(work, 'SIGKILL');
  }
};
