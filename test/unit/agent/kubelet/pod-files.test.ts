import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { etcHosts, podHostname, resolvConf, type DNSSettings } from '../../../../src-main/agent/kubelet/pod-files.ts';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}, name = 'web-7d4b9'): Pod => ({ metadata: { name, namespace: 'shop' }, spec: { containers: [], ...spec } });
const dns: DNSSettings = { clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', hostResolvConf: '# from the node\nnameserver 192.168.1.1\nsearch lan\noptions edns0\n' };

describe('pod files', () => {
  it('writes the kubelet-managed /etc/hosts with the pod, its subdomain FQDN and hostAliases', () => {
    expect(etcHosts(pod(), ['10.42.1.5'], 'cluster.local')).toBe(
      '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n10.42.1.5\tweb-7d4b9\n',
    );
    const withAll = etcHosts(pod({ hostname: 'db-0', subdomain: 'db', hostAliases: [{ ip: '1.2.3.4', hostnames: ['foo', 'bar'] }] }), ['10.42.1.6'], 'cluster.local');
    expect(withAll).toContain('10.42.1.6\tdb-0.db.shop.svc.cluster.local\tdb-0\n');
    expect(withAll).toContain('\n# Entries added by HostAliases.\n1.2.3.4\tfoo\tbar\n');
  });

  it('names the pod host after spec.hostname or the pod, cut to 63 characters', () => {
    expect(podHostname(pod({ hostname: 'custom' }))).toBe('custom');
    expect(podHostname(pod({}, `${'a'.repeat(62)}-b-c`))).toBe('a'.repeat(62));
  });

  it('writes resolv.conf per dnsPolicy, merging dnsConfig', () => {
    expect(resolvConf(pod(), dns)).toBe('search shop.svc.cluster.local svc.cluster.local cluster.local lan\nnameserver 10.43.0.10\noptions ndots:5\n');
    expect(resolvConf(pod({ dnsPolicy: 'Default' }), dns)).toBe('search lan\nnameserver 192.168.1.1\noptions edns0\n');
    expect(resolvConf(pod({ hostNetwork: true }), dns)).toBe('search lan\nnameserver 192.168.1.1\noptions edns0\n');
    expect(resolvConf(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), dns)).toContain('nameserver 10.43.0.10');
    expect(resolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['9.9.9.9'], searches: ['x.example'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } }), dns)).toBe('search x.example\nnameserver 9.9.9.9\noptions ndots:2 rotate\n');
    expect(resolvConf(pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }), dns)).toContain('options ndots:1\n');
    // No cluster DNS yet: ClusterFirst falls back to the node's settings.
    expect(resolvConf(pod(), { ...dns, clusterDNS: [] })).toBe('search lan\nnameserver 192.168.1.1\noptions edns0\n');
  });
});
