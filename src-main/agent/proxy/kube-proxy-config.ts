// The pod range as the control plane publishes it for node agents, the way kubeadm does for
// kube-proxy: ConfigMap kube-system/kube-proxy, key config.conf, a KubeProxyConfiguration whose
// clusterCIDR the proxy uses to tell traffic from pods apart from traffic from outside.
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { parse } from 'yaml';

export const kubeProxyConfigMap = { namespace: 'kube-system', name: 'kube-proxy', key: 'config.conf' } as const;

/** clusterCIDR of the ConfigMap's KubeProxyConfiguration; undefined when absent or unreadable. */
export function clusterCIDRFromKubeProxyConfig(cm: ConfigMap): string | undefined {
  const text = cm.data?.[kubeProxyConfigMap.key];
  if (!text) return undefined;
  let config: unknown;
  try {
    config = parse(text);
  } catch {
    return undefined;
  }
  if (typeof config !== 'object' || config === null) return undefined;
  const cidr = (config as { clusterCIDR?: unknown }).clusterCIDR;
  return typeof cidr === 'string' && cidr.trim() !== '' ? cidr.trim() : undefined;
}
