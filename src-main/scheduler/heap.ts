// A binary heap whose items can be removed or re-ordered in O(log n) (client-go's heap with a
// key index), for the scheduling queue's activeQ and backoffQ.

export class Heap<T> {
  private readonly items: T[] = [];
  private readonly positions = new Map<T, number>();

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    return this.positions.has(item);
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    if (this.positions.has(item)) {
      this.fix(item);
      return;
    }
    this.items.push(item);
    this.positions.set(item, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(item: T): boolean {
    const i = this.positions.get(item);
    if (i === undefined) return false;
    const last = this.items.pop()!;
    this.positions.delete(item);
    if (i < this.items.length) {
      this.items[i] = last;
      this.positions.set(last, i);
      this.fixAt(i);
    }
    return true;
  }

  /** Restores the order after the item's sort key changed. */
  fix(item: T): void {
    const i = this.positions.get(item);
    if (i !== undefined) this.fixAt(i);
  }

  values(): readonly T[] {
    return this.items;
  }

  private fixAt(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  private up(i: number): boolean {
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i], this.items[parent])) break;
      this.swap(i, parent);
      i = parent;
    }
    return i !== start;
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const child = r < n && this.less(this.items[r], this.items[l]) ? r : l;
      if (!this.less(this.items[child], this.items[i])) return;
      this.swap(i, child);
      i = child;
    }
  }

  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    this.items[a] = y;
    this.items[b] = x;
    this.positions.set(y, a);
    this.positions.set(x, b);
  }
}
