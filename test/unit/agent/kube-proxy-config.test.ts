// The node agents' reading of the pod range from ConfigMap kube-system/kube-proxy (kubeadm's
// layout: a KubeProxyConfiguration under config.conf).
import { describe, expect, it } from 'vitest';
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { clusterCIDRFromKubeProxyConfig } from '../../../src-main/agent/proxy/kube-proxy-config.ts';

const cm = (data?: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data });

describe('clusterCIDRFromKubeProxyConfig', () => {
  it('reads clusterCIDR from config.conf, as kubeadm writes it', () => {
    const conf = ['apiVersion: kubeproxy.config.k8s.io/v1alpha1', 'kind: KubeProxyConfiguration', 'bindAddress: 0.0.0.0', 'clusterCIDR: 10.44.0.0/16', 'mode: iptables', ''].join('\n');
    expect(clusterCIDRFromKubeProxyConfig(cm({ 'config.conf': conf, 'kubeconfig.conf': 'apiVersion: v1\nkind: Config\n' }))).toBe('10.44.0.0/16');
  });

  it('is undefined without the key, without clusterCIDR, with an empty one or with a file that is no YAML map', () => {
    expect(clusterCIDRFromKubeProxyConfig(cm())).toBeUndefined();
    expect(clusterCIDRFromKubeProxyConfig(cm({ 'other.conf': 'clusterCIDR: 10.44.0.0/16' }))).toBeUndefined();
    expect(clusterCIDRFromKubeProxyConfig(cm({ 'config.conf': 'kind: KubeProxyConfiguration\nmode: iptables\n' }))).toBeUndefined();
    expect(clusterCIDRFromKubeProxyConfig(cm({ 'config.conf': 'clusterCIDR: ""\n' }))).toBeUndefined();
    expect(clusterCIDRFromKubeProxyConfig(cm({ 'config.conf': 'clusterCIDR: [10.44.0.0/16\n' }))).toBeUndefined();
    expect(clusterCIDRFromKubeProxyConfig(cm({ 'config.conf': '- 10.44.0.0/16\n' }))).toBeUndefined();
    expect(clusterCIDRFromKubeProxyConfig(cm({ 'config.conf': 'clusterCIDR: 42\n' }))).toBeUndefined();
  });
});
