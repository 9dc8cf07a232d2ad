// The node's part of cluster networking, started by the agent once its Node is registered: the
// pod network (bridge, forwarding, host-gw routes to the other nodes' pods), the service proxy
// (kube-proxy's iptables rules) and the cluster DNS on the bridge's address, which is every local
// pod's nameserver. The kubelet's pods wait for it: a pod is attached only once the node has its
// podCIDR, its bridge and its DNS.
import { readFileSync } from 'node:fs';
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../client/api-error.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { ClusterDNS } from '../dns/cluster-dns.ts';
import { upstreamNameservers } from '../dns/nameservers.ts';
import { detectIptables } from '../proxy/iptables.ts';
import { clusterCIDRFromKubeProxyConfig } from '../proxy/kube-proxy-config.ts';
import { Proxier } from '../proxy/proxier.ts';
import { ServiceCache } from '../proxy/service-cache.ts';
import { recordNetworkState } from './network-state.ts';
import { NodeNetwork } from './node-network.ts';

export interface ClusterNetworkOptions {
  client: KubeClient;
  nodeName: string;
  /** The agent's state folder: what the network changed on the machine is recorded there (for reset). */
  stateDir: string;
  /** The node's network namespace when it is not the agent's own (--cni-netns). */
  netns?: string;
  /** The cluster's DNS zone (default cluster.local). */
  clusterDomain?: string;
  /** The node's resolv.conf: where names outside the cluster are forwarded (default /etc/resolv.conf). */
  resolvConf?: string;
  log: (line: string) => void;
}

/** What a pod's network needs from the node: its range and its nameservers. */
export interface PodNetworkSettings {
  podCIDR: string;
  /** Empty where the DNS cannot run (an agent outside its node's network namespace). */
  clusterDNS: string[];
}

export interface ClusterNetwork {
  node: NodeNetwork;
  services: ServiceCache;
  proxier: Proxier;
  /** Resolves once the node has its podCIDR, bridge and DNS. */
  podNetwork(): Promise<PodNetworkSettings>;
  stop(): void;
}

const DNS_PORT = 53;

/** The DNS on the bridge address, once the bridge has it. */
async function startDNS(opts: ClusterNetworkOptions, node: NodeNetwork, directory: ServiceCache): Promise<ClusterDNS> {
  const dns = new ClusterDNS({
    address: await node.gateway(), port: DNS_PORT, zone: opts.clusterDomain, directory, log: opts.log,
    upstream: upstreamNameservers(readFileSync(opts.resolvConf ?? '/etc/resolv.conf', 'utf8')),
  });
  await dns.start();
  return dns;
}

/**
 * The pod range as the control plane publishes it (kubeadm's kube-system/kube-proxy ConfigMap);
 * without one, the node's own podCIDR (kube-proxy's --detect-local-mode=NodeCIDR).
 */
async function clusterCIDR(client: KubeClient, node: NodeNetwork): Promise<string> {
  const cm = await client.get<ConfigMap>(gvr.configMaps, 'kube-system', 'kube-proxy').catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  return (cm && clusterCIDRFromKubeProxyConfig(cm)) ?? (await node.podCIDR());
}

export async function startClusterNetwork(opts: ClusterNetworkOptions): Promise<ClusterNetwork> {
  const node = new NodeNetwork({ client: opts.client, nodeName: opts.nodeName, netns: opts.netns, log: opts.log });
  const services = new ServiceCache(opts.client, opts.log);
  let proxier: Proxier | undefined;
  let dns: Promise<ClusterDNS | undefined> | undefined;
  const stop = () => {
    void dns?.then((d) => d?.stop());
    proxier?.stop();
    services.stop();
    node.stop();
  };
  try {
    const iptables = await detectIptables(opts.netns);
    // Recorded before anything changes, so that a reset after a failed start still cleans up.
    recordNetworkState(opts.stateDir, { iptables: iptables.backend, netns: opts.netns });
    await node.start();
    const [cidr] = await Promise.all([clusterCIDR(opts.client, node), services.start()]);
    proxier = new Proxier({ cache: services, iptables, nodeName: opts.nodeName, clusterCIDR: cidr, log: opts.log });
    await proxier.start();
    // No DNS with --cni-netns (a socket cannot be opened in another process's network namespace)
    // or when it cannot listen (port 53 taken): pods then start with the node's resolv.conf.
    dns = opts.netns ? Promise.resolve(undefined) : startDNS(opts, node, services).catch((e: Error) => {
      opts.log(`agent: cluster DNS not started, pods use the node's nameservers: ${e.message}`);
      return undefined;
    });
    const podNetwork = async (): Promise<PodNetworkSettings> => {
      const [podCIDR, server] = await Promise.all([node.podCIDR(), dns!]);
      return { podCIDR, clusterDNS: server ? [await node.gateway()] : [] };
    };
    return { node, services, proxier, podNetwork, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
