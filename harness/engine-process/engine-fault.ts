/**
 * Why an engine could not be judged: it broke the protocol, exited, or never answered
 * the handshake. The run is then inconclusive (exit 3), with the trace so far; the
 * message names the engine, the operation and the offending line (cut).
 */

/** Longest piece of an offending line quoted in a message (characters). */
export const quotedLineLengthMax = 200;

export type EngineFaultKind =
  /** A line that is not JSON, not a known message, or a reply that breaks its schema. */
  | 'protocol'
  /** The engine process ended (or could not be started) while the harness still needed it. */
  | 'exited'
  /** No answer to the handshake within its deadline. */
  | 'handshake'
  /** The engine speaks another protocol version. */
  | 'version';

export class EngineFaultError extends Error {
  override readonly name = 'EngineFaultError';

  constructor(
    readonly kind: EngineFaultKind,
    /** The engine's name from its handshake, or its command before that. */
    readonly engine: string,
    /** What went wrong, in a sentence. */
    readonly detail: string,
    /** The operation concerned, when there is one. */
    readonly op: string | null = null,
    /** The offending line, cut to quotedLineLengthMax characters. */
    readonly line: string | null = null,
  ) {
    super(`engine ${engine}: ${kind}: ${detail}${op === null ? '' : ` (operation ${op})`}${line === null ? '' : `; line: ${quote(line)}`}`);
  }

  /**
   * This fault as seen by a request for `op` that it failed: the same fault naming `op`
   * when it named no operation itself (a line that is not JSON, an exit), so the run's
   * error says which operation the harness was waiting for.
   */
  concerning(op: string): EngineFaultError {
    return this.op === null ? new EngineFaultError(this.kind, this.engine, this.detail, op, this.line) : this;
  }
}

/** A line as quoted in messages: JSON-escaped, cut. */
export function quote(line: string): string {
  const cut = line.length > quotedLineLengthMax ? `${line.slice(0, quotedLineLengthMax)}…` : line;
  return JSON.stringify(cut);
}
