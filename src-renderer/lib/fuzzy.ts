// Fuzzy matching for the command palette: the query's characters in order anywhere in the text
// (as VS Code's quick open), ranked so that what people mean comes first: the whole text, then
// a prefix, then the start of a word (after - . / _ or a space), then a substring, then a
// scattered match, shorter texts before longer ones. Ranking keeps only the best `limit`, so
// tens of thousands of candidates cost one pass and no sort of them all.
export interface FuzzyMatch {
  score: number;
  /** Indexes of the text's matched characters, to highlight them. */
  positions: number[];
}

const WORD_BREAK = /[-./_:\s]/;

const isWordStart = (text: string, i: number): boolean => i === 0 || WORD_BREAK.test(text[i - 1]!);

/** How well `query` matches `text` (both compared in lower case), or undefined when it does not. */
export function fuzzyMatch(query: string, text: string): FuzzyMatch | undefined {
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  if (!q) return { score: 0, positions: [] };
  const at = t.indexOf(q);
  if (at >= 0) {
    const positions = Array.from({ length: q.length }, (_, i) => at + i);
    // A contiguous match: where it starts decides its class.
    const wordStart = wordStartIndex(t, q);
    if (at === 0) return { score: (t.length === q.length ? 4000 : 3000) - t.length, positions };
    if (wordStart >= 0) return { score: 2000 - wordStart - t.length / 100, positions: Array.from({ length: q.length }, (_, i) => wordStart + i) };
    return { score: 1000 - at - t.length / 100, positions };
  }
  // Scattered: each character at its first place after the previous one, preferring word starts.
  const positions: number[] = [];
  let from = 0;
  let bonus = 0;
  for (const ch of q) {
    const i = t.indexOf(ch, from);
    if (i < 0) return undefined;
    positions.push(i);
    if (isWordStart(t, i)) bonus += 10;
    from = i + 1;
  }
  const span = positions[positions.length - 1]! - positions[0]!;
  return { score: bonus - span - t.length / 100, positions };
}

/** The first place where q starts a word in t, or -1. */
function wordStartIndex(t: string, q: string): number {
  for (let i = t.indexOf(q); i >= 0; i = t.indexOf(q, i + 1)) if (isWordStart(t, i)) return i;
  return -1;
}

export interface Ranked<T> {
  item: T;
  match: FuzzyMatch;
}

/**
 * The best `limit` items for query, best first (ties keep the items' order). `text` gives what
 * is matched; `boost` adds to an item's score (e.g. views before objects).
 */
export function rank<T>(query: string, items: Iterable<T>, text: (item: T) => string, limit = 50, boost: (item: T) => number = () => 0): Ranked<T>[] {
  const best: Ranked<T>[] = [];
  for (const item of items) {
    const match = fuzzyMatch(query, text(item));
    if (!match) continue;
    match.score += boost(item);
    if (best.length === limit && match.score <= best[best.length - 1]!.match.score) continue;
    // Insert in place in the small sorted list; drop the worst when it is full.
    let i = best.length;
    while (i > 0 && best[i - 1]!.match.score < match.score) i--;
    best.splice(i, 0, { item, match });
    if (best.length > limit) best.pop();
  }
  return best;
}
