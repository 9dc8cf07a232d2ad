// The node's part of cluster networking, started by the agent once its Node is registered: the
// pod network (bridge, forwarding, host-gw routes to the other nodes' pods) and the service proxy
// (kube-proxy's iptables rules). The kubelet's pods wait for it: a pod is attached only after the
// node has its podCIDR and its bridge.
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../client/api-error.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
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
  log: (line: string) => void;
}

export interface ClusterNetwork {
  node: NodeNetwork;
  services: ServiceCache;
  proxier: Proxier;
  stop(): void;
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
  const stop = () => {
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
    return { node, services, proxier, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
