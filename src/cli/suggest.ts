/**
 * The candidate a mistyped word most likely meant (`scope` → `scopes`, `rate-limt` → `rate-limit`), or
 * undefined when none is close. A candidate the word starts (or that starts the word) wins; otherwise the
 * nearest one, if at most a third of its letters differ (one for words of up to four letters).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  const ranked = candidates
    .map((candidate) => {
      const other = candidate.toLowerCase();
      return { candidate, distance: editDistance(typed, other), prefix: typed.length >= 3 && (other.startsWith(typed) || typed.startsWith(other)) };
    })
    .sort((a, b) => Number(b.prefix) - Number(a.prefix) || a.distance - b.distance);
  const best = ranked[0];
  const allowed = typed.length <= 4 ? 1 : Math.max(2, Math.floor(typed.length / 3));
  return best && (best.prefix || best.distance <= allowed) ? best.candidate : undefined;
}

/** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = distance;
    }
  }
  return rows[a.length]![b.length]!;
}
