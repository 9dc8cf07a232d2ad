// Collects items pushed one by one and hands them on in batches: at most one batch per delay,
// sooner when a batch is full. A log stream writing thousands of lines a second then costs the
// bridge a handful of messages a second.
export class Batcher<T> {
  #items: T[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(private readonly send: (items: T[]) => void, private readonly delayMs = 50, private readonly maxItems = 2000) {}

  add(item: T): void {
    if (this.#stopped) return;
    this.#items.push(item);
    if (this.#items.length >= this.maxItems) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Sends what is collected now (nothing when empty). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#items.length === 0 || this.#stopped) return;
    const items = this.#items;
    this.#items = [];
    this.send(items);
  }

  /** Drops what is collected and sends nothing more. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#items = [];
    this.#stopped = true;
  }
}
