// DefaultBinder: POST pods/<name>/binding with a v1 Binding — never a pod update, so that the
// API server's own checks (already assigned, being deleted, uid) decide. Bindings run
// asynchronously, a bounded number at once: the scheduling cycle goes on with the next pod while
// earlier ones are on the wire, and waits only when every slot is taken.
import type { Pod } from 'kubernetes-types/core/v1';
import { resourcePath } from '../client/gvr.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { gvr } from '../client/resources.ts';

export class Binder {
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly client: KubeClient,
    readonly maxInFlight = 128,
  ) {}

  /** Resolves when a binding may start. */
  slot(): Promise<void> {
    if (this.inFlight < this.maxInFlight) return Promise.resolve();
    return new Promise((r) => this.slotWaiters.push(r));
  }

  /** Resolves when no binding is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  pending(): number {
    return this.inFlight;
  }

  /** Writes the binding; rejects with the API's error (conflict, not found ...). */
  async bind(pod: Pod, nodeName: string): Promise<void> {
    this.inFlight++;
    try {
      const m = pod.metadata!;
      const binding = {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: m.name, namespace: m.namespace, uid: m.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      };
      await this.client.request('POST', resourcePath(gvr.pods, m.namespace, m.name, 'binding'), binding);
    } finally {
      this.inFlight--;
      this.slotWaiters.shift()?.();
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
