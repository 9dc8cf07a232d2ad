// A list kept sorted under single inserts and removals by binary search, so a watch event costs
// O(log n) to find its place (plus a native splice), never a re-sort of the whole list.
export class SortedRows<R> {
  readonly #rows: R[] = [];
  readonly #compare: (a: R, b: R) => number;

  constructor(compare: (a: R, b: R) => number) {
    this.#compare = compare;
  }

  /** The rows in order; mutated in place by the methods below. */
  get all(): readonly R[] {
    return this.#rows;
  }

  /** The first index whose row does not sort before `probe`. */
  lowerBound(probe: (row: R) => number): number {
    let lo = 0;
    let hi = this.#rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (probe(this.#rows[mid]) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(row: R): void {
    this.#rows.splice(this.lowerBound((r) => this.#compare(r, row)), 0, row);
  }

  /** Removes the row equal (by compare) to `row`; false when there is none. */
  remove(row: R): boolean {
    const i = this.lowerBound((r) => this.#compare(r, row));
    if (i >= this.#rows.length || this.#compare(this.#rows[i], row) !== 0) return false;
    this.#rows.splice(i, 1);
    return true;
  }

  /** Replaces the row that sorts equal to `row` (its sort key did not change). */
  replace(row: R): boolean {
    const i = this.lowerBound((r) => this.#compare(r, row));
    if (i >= this.#rows.length || this.#compare(this.#rows[i], row) !== 0) return false;
    this.#rows[i] = row;
    return true;
  }

  /** Starts over from unsorted rows: one sort, for a snapshot. */
  reset(rows: R[]): void {
    this.#rows.length = 0;
    for (const r of rows.sort(this.#compare)) this.#rows.push(r);
  }
}
