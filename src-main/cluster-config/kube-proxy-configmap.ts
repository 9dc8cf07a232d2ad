// Publishes the pod range for the node agents as kubeadm does for kube-proxy: ConfigMap
// kube-system/kube-proxy whose config.conf is a KubeProxyConfiguration naming clusterCIDR.
// Kept right at every start: a missing ConfigMap is made, a wrong clusterCIDR is set back and
// whatever else a user put in the file stays.
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { isMap, parseDocument, stringify } from 'yaml';
import { clusterCIDRFromKubeProxyConfig, kubeProxyConfigMap } from '../agent/proxy/kube-proxy-config.ts';
import { isAlreadyExists, isNotFound, type KubeClient } from '../client/index.ts';
import { gvr } from '../client/resources.ts';

const asApiserver = { fieldManager: 'kube-apiserver' };

function kubeProxyConfiguration(clusterCIDR: string): string {
  return stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'iptables', clusterCIDR });
}

/** The file with clusterCIDR set, other settings (and comments) as they were. */
function withClusterCIDR(text: string | undefined, clusterCIDR: string): string {
  const doc = parseDocument(text ?? '');
  // A file that is no YAML map has nothing worth keeping.
  if (doc.errors.length > 0 || !isMap(doc.contents)) return kubeProxyConfiguration(clusterCIDR);
  doc.set('clusterCIDR', clusterCIDR);
  return doc.toString();
}

export async function ensureKubeProxyConfigMap(client: KubeClient, clusterCIDR: string): Promise<void> {
  const { namespace, name, key } = kubeProxyConfigMap;
  let current: ConfigMap;
  try {
    current = await client.get<ConfigMap>(gvr.configMaps, namespace, name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const cm: ConfigMap = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name, namespace, labels: { app: 'kube-proxy' } },
      data: { [key]: kubeProxyConfiguration(clusterCIDR) },
    };
    try {
      await client.create(gvr.configMaps, cm, asApiserver);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return;
  }
  if (clusterCIDRFromKubeProxyConfig(current) === clusterCIDR) return;
  // An update with the read resourceVersion: a concurrent edit fails it, the next start retries.
  await client.update(gvr.configMaps, { ...current, data: { ...current.data, [key]: withClusterCIDR(current.data?.[key], clusterCIDR) } }, asApiserver);
}
