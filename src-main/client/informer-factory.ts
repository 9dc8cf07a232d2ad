// One informer per resource for everything in a process (client-go's SharedInformerFactory):
// the scheduler and every controller share the pods cache instead of each holding its own copy
// and its own watch — at 10,000 pods that is the difference between one cache and ten.
import type { GroupVersionResource } from './gvr.ts';
import { Informer, stripManagedFields } from './informer.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject } from './types.ts';

export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(
    private readonly client: KubeClient,
    private readonly resyncMs = 0,
  ) {}

  /** The shared informer of a resource, made on first ask. Ask before start(). */
  informer<T extends KubeObject>(gvr: GroupVersionResource): Informer<T> {
    const key = `${gvr.group}/${gvr.version}/${gvr.resource}`;
    let inf = this.informers.get(key);
    if (!inf) {
      if (this.started) throw new Error(`informer for ${gvr.resource} asked for after the factory started`);
      // managedFields are bookkeeping of the API server: nobody here reads them, and they are a
      // large share of every object (as upstream's controller manager, the cache drops them).
      inf = new Informer(this.client, gvr, { resyncMs: this.resyncMs, pageSize: 1000, transform: stripManagedFields });
      this.informers.set(key, inf);
    }
    return inf as unknown as Informer<T>;
  }

  /** Starts every informer asked for so far; resolves when all have listed. */
  async start(): Promise<void> {
    this.started = true;
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}
