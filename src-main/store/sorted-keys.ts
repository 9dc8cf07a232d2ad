// The ordered key index: every live key, sorted, so a prefix range with a limit and a continue
// position costs O(log n + page) instead of sorting 100,000 keys per LIST. A flat sorted array
// would make each insert an O(n) splice; a list of sorted chunks keeps splices small while
// staying far simpler than a B-tree. Keys compare as JavaScript strings (UTF-16 code units),
// which equals etcd's byte order for the ASCII keys the API server uses.

const MAX_CHUNK = 1024;

export class SortedKeys {
  /** Non-empty sorted chunks; every key of chunk i sorts before every key of chunk i + 1. */
  private chunks: string[][] = [];
  private total = 0;

  get size(): number {
    return this.total;
  }

  /** Replaces the content with keys that are already sorted and unique (loading a snapshot). */
  load(sortedKeys: string[]): void {
    this.chunks = [];
    for (let i = 0; i < sortedKeys.length; i += MAX_CHUNK / 2) this.chunks.push(sortedKeys.slice(i, i + MAX_CHUNK / 2));
    this.total = sortedKeys.length;
  }

  insert(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.total = 1;
      return true;
    }
    let c = this.chunkFor(key);
    if (c === this.chunks.length) c--; // greater than every key: append to the last chunk
    const chunk = this.chunks[c];
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    this.total++;
    if (chunk.length > MAX_CHUNK) this.chunks.splice(c + 1, 0, chunk.splice(MAX_CHUNK / 2));
    return true;
  }

  delete(key: string): boolean {
    const c = this.chunkFor(key);
    if (c === this.chunks.length) return false;
    const chunk = this.chunks[c];
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.total--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** Visits keys >= from in order until visit returns false. */
  scan(from: string, visit: (key: string) => boolean): void {
    const first = this.chunkFor(from);
    for (let c = first; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      for (let i = c === first ? lowerBound(chunk, from) : 0; i < chunk.length; i++) {
        if (!visit(chunk[i])) return;
      }
    }
  }

  /** The number of keys k with from <= k < to (to undefined: no upper end). */
  countBetween(from: string, to: string | undefined): number {
    return (to === undefined ? this.total : this.rank(to)) - this.rank(from);
  }

  /** The number of keys that sort before key. */
  private rank(key: string): number {
    const c = this.chunkFor(key);
    let n = 0;
    for (let i = 0; i < c; i++) n += this.chunks[i].length;
    return c === this.chunks.length ? n : n + lowerBound(this.chunks[c], key);
  }

  /** The first chunk whose last key is >= key (chunks.length if none). */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid];
      if (chunk[chunk.length - 1] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The smallest string greater than every string that starts with prefix ('' prefix: undefined). */
export function prefixEnd(prefix: string): string | undefined {
  let p = prefix;
  while (p.length > 0) {
    const last = p.charCodeAt(p.length - 1);
    if (last < 0xffff) return p.slice(0, -1) + String.fromCharCode(last + 1);
    p = p.slice(0, -1);
  }
  return undefined;
}
