/** `flowconform check <trace.jsonl>`: re-judge a stored trace, from this engine or another. */
import { readFile } from 'node:fs/promises';
import { clauseById } from '../../../spec/clauses/registry.ts';
import { TraceEvent } from '../../../trace/events.ts';
import { checkTrace } from '../../checker/check.ts';
import { exitCodes, UsageError } from '../exit-codes.ts';

/**
 * Read a trace file: one JSON event per line, blank lines ignored.
 * @throws UsageError naming the file, line and field of the first malformed line.
 */
export async function readTrace(file: string): Promise<TraceEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read trace: ${(error as Error).message}`);
  }
  const events: TraceEvent[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`${file}:${index + 1}: not JSON: ${(error as Error).message}`);
    }
    const parsed = TraceEvent.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UsageError(`${file}:${index + 1}: ${issue.path.join('.') || '(event)'}: ${issue.message}`);
    }
    events.push(parsed.data);
  }
  return events;
}

export async function checkCommand(file: string, options: { json?: boolean }): Promise<number> {
  const events = await readTrace(file);
  const { valid, verdicts } = checkTrace(events);
  if (options.json) {
    console.log(JSON.stringify({ file, valid, verdicts }, null, 2));
  } else {
    for (const verdict of verdicts) {
      const mark = verdict.valid === true ? 'ok     ' : verdict.valid === false ? 'VIOLATED' : 'unknown';
      console.log(`${mark} ${verdict.clauseId}  ${clauseById(verdict.clauseId).must}`);
      for (const violation of verdict.violations) console.log(`         seq ${violation.seq ?? '-'}: ${violation.message}`);
      for (const reason of verdict.unknownReasons) console.log(`         ${reason}`);
    }
    console.log(`${file}: ${events.length} events, ${valid === true ? 'conformant' : valid === false ? 'clauses violated' : 'inconclusive'}`);
  }
  const ended = events.at(-1);
  if (valid === false) return exitCodes.violated;
  if (valid === 'unknown' || ended?.kind !== 'end' || ended.outcome !== 'completed') return exitCodes.inconclusive;
  return exitCodes.conformant;
}
