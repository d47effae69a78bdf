/**
 * Goal: progress is one plain line per finished scenario in a log and a redrawn bar on a
 * terminal, both with done/total, failures and the seed. Method: fake streams (one with
 * isTTY) collect what is written.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, formatProgressLine } from '../../reports/progress.ts';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const writable = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(writable, { isTTY, columns: 120, rows: 40, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: writable, text: () => chunks.join('') };
}

describe('progress', () => {
  it('formats the counts, elapsed seconds and seed', () => {
    expect(formatProgressLine('run', { done: 3, total: 25, failures: 1, inconclusive: 0, seed: 7 }, 14_230, 'PASS a')).toBe(
      'run 3/25 · 14.2 s · 1 failed · 0 inconclusive · seed 7 · PASS a',
    );
  });

  it('prints one plain line per update when the stream is not a terminal', () => {
    const { stream, text } = fakeStream(false);
    const progress = createProgress({ label: 'explore detect', stream, startedMs: Date.now() });
    progress.update({ done: 1, total: 2, failures: 0, inconclusive: 0, seed: 4 }, 'run 1 pass');
    progress.update({ done: 2, total: 2, failures: 1, inconclusive: 0, seed: 4 }, 'run 2 fail');
    progress.stop();
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^explore detect 2\/2 · \d+\.\d s · 1 failed · 0 inconclusive · seed 4 · run 2 fail$/);
  });

  it('draws a bar with the counts on a terminal and prints scenario lines above it', () => {
    const { stream, text } = fakeStream(true);
    const progress = createProgress({ label: 'run', stream });
    progress.update({ done: 1, total: 4, failures: 1, inconclusive: 0, seed: 9 }, 'FAIL cancel-race');
    progress.stop();
    expect(text()).toContain('FAIL cancel-race');
    expect(text()).toMatch(/1\/4 · \d+s · 1 failed · 0 inconclusive · seed 9/);
  });
});
