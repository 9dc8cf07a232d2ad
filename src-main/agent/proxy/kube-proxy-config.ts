// TEMPORARY (replaced by the ranges branch): the pod range from kube-system/kube-proxy.
import type { ConfigMap } from 'kubernetes-types/core/v1';

export function clusterCIDRFromKubeProxyConfig(cm: ConfigMap): string | undefined {
  return /^clusterCIDR:\s*"?([\d./]+)"?\s*$/m.exec(cm.data?.['config.conf'] ?? '')?.[1];
}
