/**
 * The known name nearest to an unknown one, for messages that say "did you mean …"
 * (`COMPLETE` → `COMPLETED`, `proces-started` → `process-started`). The trace contract
 * has closed vocabularies (state names per machine, transition causes); someone writing
 * a trace by hand for another engine is helped more by the nearest name than by the
 * whole list. Levenshtein distance, written out here because it is a dozen lines and the
 * lists are small (at most a few dozen names of a few dozen characters).
 */

/**
 * Levenshtein edit distance (insertions, deletions, substitutions; count) between `left`
 * and `right`, compared as written (case matters).
 */
export function editDistance(left: string, right: string): number {
  // One row of the dynamic-programming table at a time: previous[j] is the distance
  // between the first i-1 characters of `left` and the first j of `right`.
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const substitution = previous[j - 1]! + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length]!;
}

/**
 * The name of `known` nearest to `unknown`, ignoring case (so `Completed` finds
 * `COMPLETED` at distance 0); the first of equally near names wins. Names that contain
 * the unknown one are preferred: a shortened name (`RUNNING` for `RUNNING_EXECUTION`)
 * is far from its full form by edit distance alone. Returns undefined when `known` is
 * empty.
 */
export function nearestName(unknown: string, known: readonly string[]): string | undefined {
  const target = unknown.toLowerCase();
  const containing = known.filter((name) => name.toLowerCase().includes(target));
  let best: { name: string; distance: number } | undefined;
  for (const name of containing.length > 0 ? containing : known) {
    const distance = editDistance(target, name.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  return best?.name;
}

/** `'COMPLETE' is not a … (nearest known: 'COMPLETED')`: the tail of an unknown-name message. */
export function nearestHint(unknown: string, known: readonly string[]): string {
  const nearest = nearestName(unknown, known);
  return nearest === undefined ? '' : ` (nearest known: '${nearest}')`;
}
