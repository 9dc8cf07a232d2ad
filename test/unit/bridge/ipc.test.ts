// The desktop bridge without Electron: src-main/electron/ipc.ts driven through a fake ipcMain and
// a fake window, with the renderer's IPC transport on the other end, as the preload wires them.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterCache } from '../../../src-main/bridge/cluster-cache.ts';
import { BridgeHub } from '../../../src-main/bridge/hub.ts';
import { UI_KINDS } from '../../../src-main/bridge/kinds.ts';
import { IPC_EVENT, IPC_INVOKE, IPC_SUBSCRIBE, KIND_NAMES, type BridgeEvent } from '../../../src-main/bridge/protocol.ts';
import { registerIpcBridge, type IpcMainLike } from '../../../src-main/electron/ipc.ts';
import { createIpcTransport } from '../../../src-renderer/lib/transport/ipc.ts';
import type { PreloadApi } from '../../../src-renderer/lib/transport/transport.ts';
import { FakeSources, RecordingClient, servicesOver, ns, pod, until } from './fakes.ts';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new Map<string, Set<Handler>>();
  handle(channel: string, fn: Handler): void {
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, fn: Handler): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(fn);
    return this;
  }
  removeListener(channel: string, fn: Handler): this {
    this.listeners.get(channel)?.delete(fn);
    return this;
  }
}

/** A window: its top frame's URL, what it was sent, and whether it is gone. */
class FakeContents extends EventEmitter {
  readonly mainFrame: { url: string };
  readonly received = new Set<(payload: unknown) => void>();
  destroyed = false;
  sentAfterDestroy = 0;
  constructor(url: string) {
    super();
    this.mainFrame = { url };
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, payload: unknown): void {
    if (this.destroyed) this.sentAfterDestroy++;
    // IPC copies with structured clone; so does the fake.
    if (channel === IPC_EVENT) for (const r of this.received) r(structuredClone(payload));
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

/** What preload.ts does, against the fakes; `frame` lets a test pretend to be an iframe. */
function preloadFor(ipc: FakeIpcMain, contents: FakeContents, frame: { url: string } = contents.mainFrame): PreloadApi {
  const event = { sender: contents, senderFrame: frame };
  return {
    invoke: async (method, params) => ipc.handlers.get(IPC_INVOKE)!(event, method, params),
    subscribe(listener) {
      contents.received.add(listener);
      for (const l of ipc.listeners.get(IPC_SUBSCRIBE) ?? []) l(event);
      return () => contents.received.delete(listener);
    },
  };
}

const APP_URL = 'file:///app/out/renderer/index.html';

describe('IPC bridge', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  function setup() {
    const sources = new FakeSources({ namespaces: [ns('default')], pods: [pod('default', 'web')] });
    const client = new RecordingClient();
    const hub = new BridgeHub(new ClusterCache(UI_KINDS, sources.sourceFor, { batchMs: 5 }), servicesOver(client));
    const ipc = new FakeIpcMain();
    const unregister = registerIpcBridge(ipc as unknown as IpcMainLike, hub, (url) => url === APP_URL);
    cleanups.push(() => hub.close(), unregister);
    return { sources, client, ipc, unregister };
  }

  it('streams snapshots and deltas to our window and runs its calls', async () => {
    const { sources, client, ipc } = setup();
    const win = new FakeContents(APP_URL);
    const transport = createIpcTransport(preloadFor(ipc, win));
    const events: BridgeEvent[] = [];
    transport.subscribe((e) => events.push(e));
    await until(() => events.some((e) => e.type === 'status' && e.state === 'ready'));
    expect(events.filter((e) => e.type === 'snapshot').map((e) => e.type === 'snapshot' && e.kind)).toEqual([...KIND_NAMES]);

    sources.get('pods').upsert(pod('default', 'api'));
    await until(() => events.some((e) => e.type === 'delta'));

    await expect(transport.invoke('deletePod', { namespace: 'default', name: 'web' })).resolves.toBeNull();
    expect(client.deletes).toEqual([{ resource: 'pods', namespace: 'default', name: 'web' }]);
    client.failWith = Object.assign(new Error('pods "web" not found'), { status: 404 });
    await expect(transport.invoke('deletePod', { namespace: 'default', name: 'web' })).rejects.toMatchObject({ message: 'pods "web" not found', code: 404 });
  });

  it('refuses pages that are not ours, and iframes inside ours', async () => {
    const { client, ipc } = setup();
    const stranger = new FakeContents('https://evil.example/');
    const iframe = new FakeContents(APP_URL);
    for (const api of [preloadFor(ipc, stranger), preloadFor(ipc, iframe, { url: APP_URL })]) {
      const transport = createIpcTransport(api);
      const events: BridgeEvent[] = [];
      transport.subscribe((e) => events.push(e));
      await expect(transport.invoke('deletePod', { namespace: 'default', name: 'web' })).rejects.toMatchObject({ code: 403 });
      await new Promise((r) => setTimeout(r, 20));
      expect(events).toEqual([]);
    }
    expect(client.deletes).toEqual([]);
  });

  it('stops sending to a closed window, and unregisters cleanly', async () => {
    const { sources, ipc, unregister } = setup();
    const win = new FakeContents(APP_URL);
    const events: BridgeEvent[] = [];
    createIpcTransport(preloadFor(ipc, win)).subscribe((e) => events.push(e));
    await until(() => events.some((e) => e.type === 'status' && e.state === 'ready'));
    win.destroy();
    sources.get('pods').upsert(pod('default', 'after-close'));
    await new Promise((r) => setTimeout(r, 30));
    expect(win.sentAfterDestroy).toBe(0);
    unregister();
    expect(ipc.handlers.size).toBe(0);
    expect(ipc.listeners.get(IPC_SUBSCRIBE)?.size).toBe(0);
  });
});
