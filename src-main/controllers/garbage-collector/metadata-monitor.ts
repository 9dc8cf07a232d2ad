// A list+watch of one resource that keeps only the graph's metadata of each object (upstream's
// GC uses metadata-only informers for the same reason): for kinds no other controller caches —
// ConfigMaps, Secrets, Roles … — holding whole objects just to read their ownerReferences would
// waste memory. Like the shared Informer: list, watch from the list's resourceVersion, re-list
// when the history is gone (410) and report the difference, so no change is missed.
import type { DiscoveredResource } from '../../client/discovery.ts';
import { isGone } from '../../client/api-error.ts';
import { Backoff } from '../../client/backoff.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import type { KubeObject, WatchHandle } from '../../client/types.ts';
import type { ObjectMeta } from './graph.ts';
import { metaOf } from './resources.ts';

export interface MetaHandlers {
  add(meta: ObjectMeta): void;
  update(oldMeta: ObjectMeta, newMeta: ObjectMeta): void;
  delete(meta: ObjectMeta): void;
  error(err: Error): void;
}

function keyOf(m: ObjectMeta): string {
  return `${m.identity.namespace}/${m.identity.name}`;
}

export class MetadataMonitor {
  private readonly cache = new Map<string, ObjectMeta>();
  private readonly backoff = new Backoff();
  private resourceVersion = '';
  private handle?: WatchHandle;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    private readonly resource: DiscoveredResource,
    private readonly handlers: MetaHandlers,
  ) {}

  /**
   * Resolves once the first list is in — or after a while of failing lists, so that one broken
   * resource cannot hold the whole collector back; it keeps retrying in the background.
   */
  start(giveUpAfterMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((r) => (timer = setTimeout(r, giveUpAfterMs)));
    return Promise.race([this.run().finally(() => clearTimeout(timer)), waited]);
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      try {
        await this.relist();
        break;
      } catch (err) {
        this.handlers.error(err as Error);
        await new Promise<void>((r) => (this.timer = setTimeout(r, this.backoff.next())));
      }
    }
    this.watch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.handle?.stop();
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, ObjectMeta>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list<KubeObject>(this.resource, { limit: 500, continue: cont });
      for (const item of page.items) {
        const m = metaOf(item, this.resource);
        fresh.set(keyOf(m), m);
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    if (this.stopped) return;
    for (const [key, old] of this.cache) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.handlers.delete(old);
      }
    }
    for (const [key, m] of fresh) {
      const old = this.cache.get(key);
      this.cache.set(key, m);
      if (!old) this.handlers.add(m);
      else this.handlers.update(old, m);
    }
    this.resourceVersion = rv;
  }

  private watch(): void {
    if (this.stopped) return;
    const started = Date.now();
    let gone = false;
    this.handle = this.client.watch<KubeObject>(
      this.resource,
      { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 + Math.floor(Math.random() * 300) },
      (e) => {
        if (e.type === 'ERROR') {
          gone = e.object.code === 410 || e.object.reason === 'Expired' || e.object.reason === 'Gone';
          if (!gone) this.handlers.error(new Error(`watch ${this.resource.resource}: ${e.object.message ?? e.object.reason}`));
          this.handle?.stop();
          return;
        }
        const rv = e.object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (e.type === 'BOOKMARK') return;
        const m = metaOf(e.object, this.resource);
        const key = keyOf(m);
        const old = this.cache.get(key);
        if (e.type === 'DELETED') {
          this.cache.delete(key);
          this.handlers.delete(old ?? m);
        } else {
          this.cache.set(key, m);
          if (old) this.handlers.update(old, m);
          else this.handlers.add(m);
        }
      },
      (err) => {
        this.handle = undefined;
        if (this.stopped) return;
        if (err && isGone(err)) gone = true;
        else if (err) this.handlers.error(err);
        this.restart(gone, !!err && !gone, Date.now() - started);
      },
    );
  }

  /** As the shared Informer: re-watch after a clean end, re-list after a gap, back off on failures. */
  private restart(gone: boolean, failed: boolean, livedMs: number): void {
    const run = async (): Promise<void> => {
      if (this.stopped) return;
      if (gone || failed) {
        try {
          await this.relist();
        } catch (err) {
          this.handlers.error(err as Error);
          this.timer = setTimeout(() => void run(), this.backoff.next());
          return;
        }
      }
      this.backoff.reset();
      this.watch();
    };
    if (gone) void run();
    else this.timer = setTimeout(() => void run(), failed || livedMs < 1000 ? this.backoff.next() : 0);
  }
}
