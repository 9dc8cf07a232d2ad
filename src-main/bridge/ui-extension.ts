// Browser mode on the API server's port: the built renderer as static files and the bridge's
// WebSocket, both behind one HttpExtension.
import type { HttpExtension } from '../api/http-extension.ts';
import type { BridgeHub } from './hub.ts';
import type { ClientConfig } from './client-config.ts';
import { ClusterSwitch } from './cluster-switch.ts';
import { createStaticHandler } from './static-files.ts';
import { createWsEndpoint } from './ws-endpoint.ts';

export type { ClientConfig } from './client-config.ts';
export { loopbackURL, uiURL } from './ui-url.ts';

export interface UIExtensionOptions {
  /**
   * How the bridge reaches the cluster, with the token the browser must present. May be a
   * promise: the control plane's URL and token are known only after it started, but its
   * extensions are given at start.
   */
  clientConfig: ClientConfig | Promise<ClientConfig>;
  /** The built renderer (see ensureRendererBuilt in start.ts). */
  staticDir: string;
}

export interface UIExtension extends HttpExtension {
  close(): Promise<void>;
}

export function createUIExtension(options: UIExtensionOptions): UIExtension {
  const serveStatic = createStaticHandler(options.staticDir);
  const config = Promise.resolve(options.clientConfig);
  let cluster: { hub: BridgeHub; close(): void } | undefined;
  let closed = false;
  const hub = async (): Promise<BridgeHub> => {
    const cfg = await config;
    if (closed) throw new Error('the UI bridge is closed');
    cluster ??= new ClusterSwitch(cfg);
    return cluster.hub;
  };
  // The endpoint needs the token synchronously on upgrade; until it is known, nobody is let in.
  let ws = createWsEndpoint({ token: '', hub });
  config.then((cfg) => {
    if (!closed) {
      void ws.close();
      ws = createWsEndpoint({ token: cfg.token, hub });
    }
  }, () => {});
  return {
    handleRequest: (req, res) => serveStatic(req, res),
    handleUpgrade: (req, socket, head) => ws.handleUpgrade(req, socket, head),
    async close() {
      closed = true;
      await ws.close();
      cluster?.close();
      cluster = undefined;
    },
  };
}
