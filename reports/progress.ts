/**
 * Progress of a long suite or campaign: done / total, elapsed time, failures so far and
 * the current seed. On a terminal it is one line redrawn in place (cli-progress), with
 * each finished scenario's line printed above it; anywhere else (a CI log, a pipe) every
 * update is one plain line, so logs stay readable and greppable.
 */
import cliProgress from 'cli-progress';

export interface ProgressCounts {
  /** Scenarios finished (count). */
  done: number;
  /** Scenarios planned (count). */
  total: number;
  /** Scenarios failed so far (count). */
  failures: number;
  /** Scenarios inconclusive so far (count). */
  inconclusive: number;
  /** The seed of the suite or campaign. */
  seed: number;
}

export interface Progress {
  /**
   * One scenario finished: redraws the bar (terminal) or prints one plain line (elsewhere)
   * with `line` (the scenario's own summary, e.g. its console line) beside the counts.
   */
  update(counts: ProgressCounts, line: string): void;
  /** Removes the bar (terminal) so that the next output starts on a clean line. Idempotent. */
  stop(): void;
}

export interface ProgressOptions {
  /** What is counted (`run`, `explore detect`), first on every line. */
  label: string;
  /** Where to write; a TTY stream gets the redrawn bar. Default: process.stdout. */
  stream?: NodeJS.WriteStream;
  /** Milliseconds since the epoch when the work started (default: now). */
  startedMs?: number;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The plain line of an update: `run 12/25 · 14.2 s · 1 failed · 0 inconclusive · seed 1 · <line>`. */
export function formatProgressLine(label: string, counts: ProgressCounts, elapsedMs: number, line: string): string {
  const head = `${label} ${counts.done}/${counts.total} · ${seconds(elapsedMs)} · ${counts.failures} failed · ${counts.inconclusive} inconclusive · seed ${counts.seed}`;
  return line === '' ? head : `${head} · ${line}`;
}

/** A progress display on `options.stream`: a redrawn bar on a TTY, plain lines otherwise. */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stdout;
  const startedMs = options.startedMs ?? Date.now();
  if (!stream.isTTY) {
    return {
      update: (counts, line) => stream.write(`${formatProgressLine(options.label, counts, Date.now() - startedMs, line)}\n`),
      stop: () => {},
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: `${options.label} [{bar}] {value}/{total} · {duration}s · {failures} failed · {inconclusive} inconclusive · seed {seed}`,
      hideCursor: true,
      clearOnComplete: true,
      // Redraw on every update: scenarios take seconds, so there is no flood to throttle.
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | null = null;
  let stopped = false;
  return {
    update(counts, line) {
      if (stopped) return;
      const payload = { failures: counts.failures, inconclusive: counts.inconclusive, seed: counts.seed };
      if (bar === null) bar = bars.create(counts.total, 0, payload);
      if (line !== '') bars.log(`${line}\n`);
      bar.setTotal(counts.total);
      bar.update(counts.done, payload);
      // Draw now rather than at the next frame, so the line and the counts appear together.
      bars.update();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}
