'use strict';
/**
 * One BullMQ job's own work, as a real process: the sandboxed processor (processor.cjs)
 * starts it for every attempt, so a run's process tree is BullMQ's forked child and this
 * process under it.
 *
 *   node work.cjs '{"durationMs":300,"exitCode":0,"ignoreSigterm":false}'
 *
 * It lives `durationMs` (wall ms) and exits with `exitCode`. With `ignoreSigterm` it
 * ignores SIGTERM, so only SIGKILL ends it. It ends at once (exit code 1) when its stdin
 * closes: stdin is a pipe from the processor's process, so the work never outlives the
 * process that serves its job (a SIGKILLed pool child takes its work with it). It writes
 * `ready` on stdout once its SIGTERM handling is set.
 */
const plan = JSON.parse(process.argv[2] ?? '{}');
if (plan.ignoreSigterm) process.on('SIGTERM', () => {});
process.stdin.on('end', () => process.exit(1));
process.stdin.on('error', () => process.exit(1));
process.stdin.resume();
setTimeout(() => process.exit(plan.exitCode ?? 0), plan.durationMs ?? 300);
// Ready: its signal handling is in place. The processor reports the job's processes (and
// so the run RUNNING) only after this line, so a cancel never meets a process still
// booting with SIGTERM's default action.
process.stdout.write('ready\n');
