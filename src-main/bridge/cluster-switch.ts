// The cluster the bridge shows, and switching it: the built-in control plane by default, any
// kubeconfig context on request. One hub serves every window; a switch swaps its cache and calls
// (every window then starts over with the new cluster's snapshots) and closes the old client.
import { KubeClient } from '../client/kube-client.ts';
import type { ContextEntry } from './api/contexts.ts';
import type { ClientConfig } from './client-config.ts';
import { ClusterCache } from './cluster-cache.ts';
import { BridgeHub, type HubCluster } from './hub.ts';
import { informerSource } from './informer-source.ts';
import { UI_KINDS } from './kinds.ts';
import { contextClientConfig, kubeconfigFiles, readContexts } from './kube-contexts.ts';
import { ServiceError } from './service-error.ts';
import { createServices } from './services/index.ts';

export const BUILTIN_CONTEXT = 'kubelab';

export interface ContextSwitcher {
  list(): { current: string; contexts: ContextEntry[] };
  use(name: string): Promise<void>;
}

export interface ClusterSwitchOptions {
  /** The kubeconfig files to offer contexts from (default: $KUBECONFIG or ~/.kube/config). */
  kubeconfigFiles?: () => string[];
  /** Where the small per-context KUBECONFIG override is written (default: the built-in data folder). */
  stateDir?: string;
}

export class ClusterSwitch implements ContextSwitcher {
  readonly hub: BridgeHub;
  readonly #builtin: ClientConfig;
  readonly #files: () => string[];
  readonly #stateDir: string | undefined;
  #client: KubeClient;
  #current = BUILTIN_CONTEXT;
  /** The KUBECONFIG value that selects the cluster shown (for local shells). */
  kubeconfigPath: string | undefined;

  constructor(builtin: ClientConfig, options: ClusterSwitchOptions = {}) {
    this.#builtin = builtin;
    this.#files = options.kubeconfigFiles ?? (() => kubeconfigFiles());
    this.#stateDir = options.stateDir ?? builtin.dataDir;
    const { client, cluster } = this.#open(builtin);
    this.#client = client;
    this.kubeconfigPath = builtin.kubeconfigPath;
    this.hub = new BridgeHub(cluster.cache, cluster.methods, cluster.info);
  }

  list(): { current: string; contexts: ContextEntry[] } {
    const builtin: ContextEntry = { name: BUILTIN_CONTEXT, server: this.#builtin.connection.server, builtin: true };
    const others = readContexts(this.#files())
      .filter((c) => c.name !== BUILTIN_CONTEXT)
      .map((c): ContextEntry => ({ name: c.name, server: c.server, ...(c.user ? { user: c.user } : {}), builtin: false }));
    return { current: this.#current, contexts: [builtin, ...others] };
  }

  async use(name: string): Promise<void> {
    if (name === this.#current) return;
    const config = this.#configFor(name);
    const { client, cluster } = this.#open(config);
    // Only switch to a cluster that answers: a dead context must not blank every window.
    try {
      await client.request('GET', '/version');
    } catch (err) {
      client.close();
      throw new ServiceError(`cannot reach context "${name}" at ${config.connection.server}: ${(err as Error)?.message ?? err}`, 502);
    }
    const old = this.#client;
    this.#client = client;
    this.#current = name;
    this.kubeconfigPath = config.kubeconfigPath;
    this.hub.replace(cluster);
    old.close();
  }

  close(): void {
    this.hub.close();
    this.#client.close();
  }

  #configFor(name: string): ClientConfig {
    if (name === BUILTIN_CONTEXT) return this.#builtin;
    const files = this.#files();
    const context = readContexts(files).find((c) => c.name === name);
    if (!context) throw new ServiceError(`no kubeconfig context named "${name}"`, 404);
    if (!this.#stateDir) throw new ServiceError('kubeconfig contexts need a data folder for their shell settings', 500);
    try {
      return contextClientConfig(context, files, this.#stateDir, this.#builtin.token);
    } catch (err) {
      throw new ServiceError(`context "${name}": ${(err as Error)?.message ?? err}`, 400);
    }
  }

  #open(config: ClientConfig): { client: KubeClient; cluster: HubCluster } {
    const client = new KubeClient(config.connection);
    const cache = new ClusterCache(UI_KINDS, (spec) => informerSource(client, spec));
    const methods = createServices({ client, dataDir: config.dataDir, kubeconfigPath: config.kubeconfigPath, sshSecrets: config.sshSecrets, contexts: this });
    return { client, cluster: { cache, methods, info: config.info } };
  }
}
