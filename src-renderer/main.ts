// Boots the renderer: picks the transport for where it runs (Electron IPC when the preload is
// there, else a WebSocket to the page's own server) and mounts the app.
import { mount, unmount } from 'svelte';
import App from './App.svelte';
import { ClusterState } from './lib/cluster.svelte.ts';
import { saveToken, takeTokenFromLocation } from './lib/token.ts';
import { createIpcTransport } from './lib/transport/ipc.ts';
import type { Transport } from './lib/transport/transport.ts';
import { webSocketConnect } from './lib/transport/websocket.ts';
import { createWireTransport } from './lib/transport/wire.ts';
import './styles.css';

const target = document.getElementById('app')!;

function transportFor(token: string | undefined): Transport | undefined {
  if (window.kubelab) return createIpcTransport(window.kubelab);
  if (!token) return undefined;
  return createWireTransport(webSocketConnect(location.href, token));
}

function boot(token: string | undefined): void {
  const transport = transportFor(token);
  const cluster = transport ? new ClusterState(transport) : undefined;
  cluster?.connect();
  const app = mount(App, {
    target,
    props: {
      cluster,
      onToken(next: string) {
        saveToken(next);
        cluster?.dispose();
        void unmount(app);
        boot(next);
      },
    },
  });
}

boot(window.kubelab ? undefined : takeTokenFromLocation());
