// Test doubles for the bridge: a list+watch source whose events the test fires by hand, and a
// write client that records calls.
import type { ClusterSource, KubeObject, SourceListener } from '../../../src-main/bridge/cluster-source.ts';
import type { KindSpec } from '../../../src-main/bridge/kinds.ts';
import type { KindName } from '../../../src-main/bridge/protocol.ts';
import type { KubeClient } from '../../../src-main/client/kube-client.ts';
import type { MethodTable } from '../../../src-main/bridge/method.ts';
import { createServices } from '../../../src-main/bridge/services/index.ts';

export class FakeSource implements ClusterSource {
  readonly objects = new Map<string, KubeObject>();
  listener: SourceListener | undefined;
  started = false;
  stopped = false;
  failStart: Error | undefined;

  constructor(initial: KubeObject[] = []) {
    for (const o of initial) this.objects.set(key(o), o);
  }

  async start(listener: SourceListener): Promise<void> {
    if (this.failStart) throw this.failStart;
    this.listener = listener;
    this.started = true;
  }

  list(): KubeObject[] {
    return [...this.objects.values()];
  }

  stop(): void {
    this.stopped = true;
  }

  upsert(obj: KubeObject): void {
    this.objects.set(key(obj), obj);
    this.listener?.upsert(obj);
  }

  remove(obj: KubeObject): void {
    this.objects.delete(key(obj));
    this.listener?.delete(obj);
  }
}

export class FakeSources {
  readonly byKind = new Map<KindName, FakeSource>();

  constructor(initial: Partial<Record<KindName, KubeObject[]>> = {}) {
    for (const [kind, objects] of Object.entries(initial)) this.byKind.set(kind as KindName, new FakeSource(objects));
  }

  readonly sourceFor = (spec: KindSpec): FakeSource => {
    let source = this.byKind.get(spec.name);
    if (!source) this.byKind.set(spec.name, (source = new FakeSource()));
    return source;
  };

  get(kind: KindName): FakeSource {
    const source = this.byKind.get(kind);
    if (!source) throw new Error(`no source for ${kind}`);
    return source;
  }
}

export class RecordingClient {
  readonly deletes: { resource: string; namespace: string | undefined; name: string }[] = [];
  failWith: Error | undefined;

  async delete(gvr: { resource: string }, namespace: string | undefined, name: string): Promise<unknown> {
    if (this.failWith) throw this.failWith;
    this.deletes.push({ resource: gvr.resource, namespace, name });
    return {};
  }
}

/** The bridge's services over a recording client (only delete is recorded). */
export function servicesOver(client: RecordingClient): MethodTable {
  return createServices({ client: client as unknown as KubeClient });
}

export function ns(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-${name}` }, status: { phase: 'Active' } };
}

export function pod(namespace: string, name: string, extra: { phase?: string; resourceVersion?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, resourceVersion: extra.resourceVersion ?? '1', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { containers: [{ name: 'main', image: 'busybox' }] },
    status: { phase: extra.phase ?? 'Pending' },
  };
}

function key(o: KubeObject): string {
  return o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? '');
}

/** Resolves when check() is true, polling; fails the test after timeoutMs. */
export async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A source that, like the shared Informer, reports every listed object as added during start. */
export class ChattySource extends FakeSource {
  override async start(listener: SourceListener): Promise<void> {
    for (const o of this.objects.values()) listener.upsert(o);
    await super.start(listener);
  }
}
