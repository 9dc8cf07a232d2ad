// The whole bridge without Electron or sockets: cache → hub → in-memory wire → the renderer's
// transport, as the UI uses it.
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterCache } from '../../../src-main/bridge/cluster-cache.ts';
import { BridgeHub } from '../../../src-main/bridge/hub.ts';
import { UI_KINDS } from '../../../src-main/bridge/kinds.ts';
import { connectInMemory, type MemoryClientEnd } from '../../../src-main/bridge/memory-transport.ts';
import type { BridgeEvent } from '../../../src-main/bridge/protocol.ts';
import type { Transport } from '../../../src-renderer/lib/transport/transport.ts';
import { createWireTransport } from '../../../src-renderer/lib/transport/wire.ts';
import { FakeSources, RecordingClient, servicesOver, ns, pod, until } from './fakes.ts';

describe('bridge over the in-memory wire', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  function setup() {
    const sources = new FakeSources({ namespaces: [ns('default'), ns('kube-system')], pods: [pod('default', 'web')] });
    const client = new RecordingClient();
    const hub = new BridgeHub(new ClusterCache(UI_KINDS, sources.sourceFor, { batchMs: 10 }), servicesOver(client));
    const ends: MemoryClientEnd[] = [];
    const transport: Transport = createWireTransport((handlers) => {
      const end = connectInMemory(hub, handlers);
      ends.push(end);
      return end;
    }, { reconnectMs: 10 });
    const events: BridgeEvent[] = [];
    transport.subscribe((e) => events.push(e));
    cleanups.push(() => hub.close(), () => transport.close());
    const podNames = (): string[] => {
      // Replays snapshot + deltas the way the renderer's stores do.
      const names = new Set<string>();
      for (const e of events) {
        if (e.type === 'snapshot' && e.kind === 'pods') {
          names.clear();
          for (const o of e.objects) names.add(`${o.metadata?.namespace}/${o.metadata?.name}`);
        } else if (e.type === 'delta') {
          for (const c of e.changes) {
            if (c.kind !== 'pods') continue;
            if (c.op === 'delete') names.delete(c.key);
            else names.add(`${c.object.metadata?.namespace}/${c.object.metadata?.name}`);
          }
        }
      }
      return [...names].sort();
    };
    return { sources, client, transport, events, ends, podNames };
  }

  it('delivers a snapshot of namespaces and pods, then live changes', async () => {
    const { sources, events, podNames } = setup();
    await until(() => events.some((e) => e.type === 'status' && e.state === 'ready'));
    const nsSnap = events.find((e) => e.type === 'snapshot' && e.kind === 'namespaces');
    expect(nsSnap?.type === 'snapshot' && nsSnap.objects.map((o) => o.metadata?.name)).toEqual(['default', 'kube-system']);
    expect(podNames()).toEqual(['default/web']);

    sources.get('pods').upsert(pod('default', 'api'));
    await until(() => podNames().includes('default/api'));
    sources.get('pods').remove(pod('default', 'web'));
    await until(() => !podNames().includes('default/web'));
    expect(podNames()).toEqual(['default/api']);
  });

  it('runs deletePod through the service and reports API errors with their message and code', async () => {
    const { client, transport } = setup();
    await expect(transport.invoke('deletePod', { namespace: 'default', name: 'web' })).resolves.toBeNull();
    expect(client.deletes).toEqual([{ resource: 'pods', namespace: 'default', name: 'web' }]);

    client.failWith = Object.assign(new Error('pods "gone" not found'), { status: 404 });
    await expect(transport.invoke('deletePod', { namespace: 'default', name: 'gone' })).rejects.toMatchObject({
      message: 'pods "gone" not found',
      code: 404,
    });
  });

  it('refuses malformed calls before they reach the API', async () => {
    const { client, transport } = setup();
    await expect(transport.invoke('deletePod', { namespace: '../etc', name: 'x' })).rejects.toMatchObject({ code: 400 });
    // A renderer is not trusted to send only declared methods.
    const loose = transport as unknown as { invoke(m: string, p: unknown): Promise<unknown> };
    await expect(loose.invoke('deleteEverything', {})).rejects.toThrow(/unknown method/);
    expect(client.deletes).toEqual([]);
  });

  it('after the connection drops, reconnects and starts over from a fresh snapshot', async () => {
    const { sources, events, ends, podNames } = setup();
    await until(() => events.some((e) => e.type === 'status' && e.state === 'ready'));
    ends[0].close();
    await until(() => events.some((e) => e.type === 'status' && e.state === 'disconnected'));
    // Changes while offline reach the renderer through the next snapshot.
    sources.get('pods').upsert(pod('default', 'while-offline'));
    await until(() => ends.length === 2 && podNames().includes('default/while-offline'));
    expect(events.filter((e) => e.type === 'snapshot' && e.kind === 'pods')).toHaveLength(2);
  });
});
