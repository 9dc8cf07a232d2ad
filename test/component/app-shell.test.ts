// @vitest-environment happy-dom
// The window around the views: the sidebar lists every view, the banner shows while the stream
// is down and goes when it is back, the cluster picker offers the contexts and switches.
import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeEvent, MethodName, ParamsOf, ResultOf } from '../../src-main/bridge/protocol.ts';
import App from '../../src-renderer/App.svelte';
import { ClusterState } from '../../src-renderer/lib/cluster.svelte.ts';
import type { Transport } from '../../src-renderer/lib/transport/transport.ts';
import { VIEWS } from '../../src-renderer/lib/views.ts';

class FakeTransport implements Transport {
  listener: ((e: BridgeEvent) => void) | undefined;
  calls: { method: string; params: unknown }[] = [];
  async invoke<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    this.calls.push({ method, params });
    if (method === 'listContexts') {
      return { current: 'kubelab', contexts: [{ name: 'kubelab', server: 'https://127.0.0.1:6443', builtin: true }, { name: 'k3s-lab', server: 'https://10.0.0.5:6443', builtin: false }] } as ResultOf<M>;
    }
    return null as ResultOf<M>;
  }
  subscribe(listener: (e: BridgeEvent) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  close(): void {}
  emit(e: BridgeEvent): void {
    this.listener?.(e);
    flushSync();
  }
}

describe('app shell', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
  });

  async function start() {
    const transport = new FakeTransport();
    const cluster = new ClusterState(transport);
    cluster.connect();
    app = mount(App, { target: document.body, props: { cluster, onToken: () => {} } });
    transport.emit({ type: 'status', state: 'ready', cluster: { context: 'kubelab', server: 'https://127.0.0.1:6443' } });
    await tick();
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
    return { transport, cluster };
  }

  it('lists every view in the sidebar', async () => {
    await start();
    const links = [...document.querySelectorAll('nav a')].map((a) => a.textContent);
    expect(links).toEqual(VIEWS.map((v) => v.title));
  });

  it('shows a banner while the connection is down and removes it when live again', async () => {
    const { transport } = await start();
    expect(document.querySelector('.banner')).toBeNull();
    transport.emit({ type: 'status', state: 'disconnected', message: 'reconnecting…' });
    expect(document.querySelector('[role=alert]')?.textContent).toContain('Not connected to the cluster');
    transport.emit({ type: 'status', state: 'ready' });
    expect(document.querySelector('.banner')).toBeNull();
  });

  it('offers the kubeconfig contexts and switches to the one picked', async () => {
    const { transport } = await start();
    const select = document.querySelector('select[aria-label=Cluster]') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['kubelab (built-in)', 'k3s-lab']);
    select.value = 'k3s-lab';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 0));
    expect(transport.calls.filter((c) => c.method === 'useContext')).toEqual([{ method: 'useContext', params: { name: 'k3s-lab' } }]);
  });
});
