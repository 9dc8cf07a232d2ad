// What the last build of the rules produced for each service port, by the port's content. A sync
// rebuilds every service port, and between two syncs most have not changed: their rules are
// reused instead of written again (kube-proxy likewise skips the unchanged services' chains).
// Only what the last build asked for is kept, so the cache never outgrows the services.
export class RuleCache<T> {
  private last = new Map<string, T>();
  private current = new Map<string, T>();

  /** What `build` gave for `key` in the last build (or in this one), else builds it now. */
  get(key: string, build: () => T): T {
    let value = this.current.get(key) ?? this.last.get(key);
    if (value === undefined) value = build();
    this.current.set(key, value);
    return value;
  }

  /** A build is done: what it did not ask for goes. */
  endBuild(): void {
    this.last = this.current;
    this.current = new Map();
  }
}
