// The files the kubelet writes for each pod and mounts into every container: /etc/hosts (the
// kubelet-managed one, with the pod's own name and its hostAliases), /etc/hostname, and
// /etc/resolv.conf from the pod's dnsPolicy and dnsConfig (pkg/kubelet/network/dns).
import type { Pod } from 'kubernetes-types/core/v1';

export interface DNSSettings {
  /** The cluster DNS server addresses (none until cluster DNS runs). */
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's own resolv.conf text, for dnsPolicy Default and as the fallback. */
  hostResolvConf: string;
}

const MAX_SEARCH = 32;
const MAX_NAMESERVERS = 3;

/** The pod's hostname: spec.hostname, else its name, cut to a DNS label (63). */
export function podHostname(pod: Pod): string {
  return (pod.spec?.hostname || pod.metadata?.name || '').slice(0, 63).replace(/[-.]+$/, '');
}

export function etcHosts(pod: Pod, podIPs: string[], clusterDomain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const hostname = podHostname(pod);
  const subdomain = pod.spec?.subdomain;
  for (const ip of podIPs) {
    lines.push(subdomain ? `${ip}\t${hostname}.${subdomain}.${pod.metadata?.namespace}.svc.${clusterDomain}\t${hostname}` : `${ip}\t${hostname}`);
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) if (a.ip && a.hostnames?.length) lines.push(`${a.ip}\t${a.hostnames.join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...values] = line.split(/\s+/);
    if (key === 'nameserver' && values[0]) out.nameservers.push(values[0]);
    else if (key === 'search' || key === 'domain') out.searches = values;
    else if (key === 'options') out.options.push(...values);
  }
  return out;
}

/** Options merge by name, the later value winning (upstream's mergeDNSOptions). */
function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0], o);
  for (const o of extra) if (o.name) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

export function resolvConf(pod: Pod, dns: DNSSettings): string {
  const host = parseResolvConf(dns.hostResolvConf);
  let policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  else if (policy === 'ClusterFirst' && pod.spec?.hostNetwork) policy = 'Default';
  // With no cluster DNS yet, ClusterFirst falls back to the node's settings, as the kubelet does.
  if (policy === 'ClusterFirst' && dns.clusterDNS.length === 0) policy = 'Default';
  let conf: ResolvConf;
  if (policy === 'None') conf = { nameservers: [], searches: [], options: [] };
  else if (policy === 'Default') conf = host;
  else {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = dns.clusterDomain;
    conf = { nameservers: dns.clusterDNS, searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ['ndots:5'] };
  }
  const extra = pod.spec?.dnsConfig;
  const nameservers = [...new Set([...conf.nameservers, ...(extra?.nameservers ?? [])])].slice(0, MAX_NAMESERVERS);
  const searches = [...new Set([...conf.searches, ...(extra?.searches ?? [])])].slice(0, MAX_SEARCH);
  const options = mergeOptions(conf.options, extra?.options ?? []);
  const lines: string[] = [];
  if (searches.length > 0) lines.push(`search ${searches.join(' ')}`);
  for (const n of nameservers) lines.push(`nameserver ${n}`);
  if (options.length > 0) lines.push(`options ${options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
