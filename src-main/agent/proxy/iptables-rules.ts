// The service rules as iptables-restore input, laid out as kube-proxy's iptables mode lays them
// out: nat KUBE-SERVICES → KUBE-SVC-* (one per service port, endpoints chosen with
// statistic/random probabilities 1/n, 1/(n-1) … 1) → KUBE-SEP-* (DNAT to one endpoint), nodePorts
// through KUBE-NODEPORTS → KUBE-EXT-*, masquerading marked with 0x4000 in KUBE-MARK-MASQ and done
// in KUBE-POSTROUTING; a service port without endpoints is rejected in the filter table. The text
// declares every chain it uses (which empties them) and deletes the ones it no longer uses, so
// `iptables-restore --noflush` swaps the whole state at once: there is never a window without rules.
import { endpointChain, serviceChain } from './chain-names.ts';
import type { ProxyConfig, ProxyServicePort } from './proxy-model.ts';

export const MASQ_MARK = '0x4000/0x4000';

/** The chains this proxy owns in each table, besides the per-service ones. */
export const NAT_BASE_CHAINS = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'] as const;
export const FILTER_BASE_CHAINS = ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES'] as const;

export interface RuleSet {
  nat: string[];
  filter: string[];
  /** Every chain the rules declare, per table (to find stale ones next time). */
  chains: { nat: string[]; filter: string[] };
}

const comment = (text: string): string => `-m comment --comment ${JSON.stringify(text)}`;
const proto = (p: ProxyServicePort): string => {
  const l = p.protocol.toLowerCase();
  return `-m ${l} -p ${l}`;
};

/**
 * TCP gets a reset: kube-proxy's ICMP port-unreachable refuses forwarded (pod) traffic, but the
 * node's own processes never see it (the ICMP comes from the VIP, which is no local address) and
 * would wait for a timeout; a reset refuses both at once.
 */
const reject = (p: ProxyServicePort): string => (p.protocol === 'TCP' ? '-j REJECT --reject-with tcp-reset' : '-j REJECT');

export function buildRules(ports: readonly ProxyServicePort[], config: ProxyConfig): RuleSet {
  const nat: string[] = [];
  const filter: string[] = [];
  const natChains = new Set<string>(NAT_BASE_CHAINS);
  const filterChains = new Set<string>(FILTER_BASE_CHAINS);

  nat.push(
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK} -j RETURN`,
    // Clear the mark so a re-traversal (an IPsec tunnel, say) is not masqueraded twice.
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    `-A KUBE-POSTROUTING ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE`,
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
  );

  // Sorted, so the same services always give the same text (and an unchanged state, no write).
  for (const p of [...ports].sort((a, b) => (a.name + a.protocol).localeCompare(b.name + b.protocol))) {
    if (!p.clusterIP) continue;
    const svc = serviceChain('SVC', p.name, p.protocol);
    const dests = [p.clusterIP, ...p.externalIPs];
    if (p.endpoints.length === 0) {
      // As kube-proxy: connections to a service with no endpoints are refused, not left to time out.
      for (const ip of dests) filter.push(`-A KUBE-SERVICES ${comment(`${p.name} has no endpoints`)} ${proto(p)} -d ${ip}/32 --dport ${p.port} ${reject(p)}`);
      if (p.nodePort) filter.push(`-A KUBE-EXTERNAL-SERVICES ${comment(`${p.name} has no endpoints`)} -m addrtype --dst-type LOCAL ${proto(p)} --dport ${p.nodePort} ${reject(p)}`);
      continue;
    }
    natChains.add(svc);
    nat.push(`-A KUBE-SERVICES ${comment(`${p.name} cluster IP`)} ${proto(p)} -d ${p.clusterIP}/32 --dport ${p.port} -j ${svc}`);
    // Off-cluster clients reaching the VIP (from the node itself, say) must see replies come back
    // through this node: masquerade them.
    nat.push(`-A ${svc} ${comment(`${p.name} cluster IP`)} ${proto(p)} -d ${p.clusterIP}/32 --dport ${p.port} ! -s ${config.clusterCIDR} -j KUBE-MARK-MASQ`);
    const external = p.externalIPs.length > 0 || p.nodePort !== undefined;
    const ext = serviceChain('EXT', p.name, p.protocol);
    if (external) {
      natChains.add(ext);
      for (const ip of p.externalIPs) nat.push(`-A KUBE-SERVICES ${comment(`${p.name} external IP`)} ${proto(p)} -d ${ip}/32 --dport ${p.port} -j ${ext}`);
      if (p.nodePort) nat.push(`-A KUBE-NODEPORTS ${comment(p.name)} ${proto(p)} --dport ${p.nodePort} -j ${ext}`);
    }
    writeEndpoints(nat, natChains, svc, p, p.endpoints);
    if (external) writeExternal(nat, filter, natChains, ext, svc, p, config);
  }
  // Last: node ports are for the node's own addresses, after every VIP had its chance.
  nat.push(`-A KUBE-SERVICES ${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`);
  return { nat, filter, chains: { nat: [...natChains], filter: [...filterChains] } };
}

/** The spread over endpoints: rule i of n matches with probability 1/(n-i), the last always. */
function writeEndpoints(nat: string[], chains: Set<string>, from: string, p: ProxyServicePort, endpoints: ProxyServicePort['endpoints']): void {
  const seps = endpoints.map((e) => ({ e, chain: endpointChain(p.name, p.protocol, `${e.ip}:${e.port}`) }));
  // ClientIP affinity: a client seen recently goes back to its endpoint first.
  if (p.affinitySeconds) {
    for (const { e, chain } of seps) nat.push(`-A ${from} ${comment(`${p.name} -> ${e.ip}:${e.port}`)} -m recent --name ${chain} --mask 255.255.255.255 --rsource --rcheck --seconds ${p.affinitySeconds} --reap -j ${chain}`);
  }
  seps.forEach(({ e, chain }, i) => {
    const left = seps.length - i;
    const pick = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : '';
    nat.push(`-A ${from} ${comment(`${p.name} -> ${e.ip}:${e.port}`)}${pick} -j ${chain}`);
    if (chains.has(chain)) return;
    chains.add(chain);
    // Hairpin: a pod reaching itself through its own service must have the reply come back via
    // the node, or its own packet would look like a stranger's.
    nat.push(`-A ${chain} ${comment(p.name)} -s ${e.ip}/32 -j KUBE-MARK-MASQ`);
    const affinity = p.affinitySeconds ? ` -m recent --name ${chain} --mask 255.255.255.255 --rsource --set` : '';
    nat.push(`-A ${chain} ${comment(p.name)} ${proto(p)}${affinity} -j DNAT --to-destination ${e.ip}:${e.port}`);
  });
}

/**
 * Traffic from outside the cluster (node ports, external and load-balancer IPs). Cluster policy:
 * masquerade and spread over every endpoint. Local policy: only this node's endpoints and the
 * client's address kept; pods still reach every endpoint; no local endpoint → dropped.
 */
function writeExternal(nat: string[], filter: string[], chains: Set<string>, ext: string, svc: string, p: ProxyServicePort, config: ProxyConfig): void {
  if (p.externalTrafficPolicy === 'Cluster') {
    nat.push(`-A ${ext} ${comment('masquerade traffic for ' + p.name + ' external destinations')} -j KUBE-MARK-MASQ`, `-A ${ext} -j ${svc}`);
    return;
  }
  nat.push(`-A ${ext} ${comment('pod traffic for ' + p.name + ' external destinations')} -s ${config.clusterCIDR} -j ${svc}`);
  const local = p.endpoints.filter((e) => e.local);
  if (local.length === 0) {
    for (const ip of p.externalIPs) filter.push(`-A KUBE-EXTERNAL-SERVICES ${comment(`${p.name} has no local endpoints`)} ${proto(p)} -d ${ip}/32 --dport ${p.port} ! -s ${config.clusterCIDR} -j DROP`);
    if (p.nodePort) filter.push(`-A KUBE-EXTERNAL-SERVICES ${comment(`${p.name} has no local endpoints`)} -m addrtype --dst-type LOCAL ${proto(p)} --dport ${p.nodePort} ! -s ${config.clusterCIDR} -j DROP`);
    return;
  }
  const svl = serviceChain('SVL', p.name, p.protocol);
  chains.add(svl);
  nat.push(`-A ${ext} -j ${svl}`);
  writeEndpoints(nat, chains, svl, p, local);
}

/**
 * iptables-restore --noflush input: every owned chain declared (emptied) then filled, and the
 * chains owned last time but not now deleted — all in one transaction per table.
 */
export function restoreText(rules: RuleSet, previous?: RuleSet['chains']): string {
  const table = (name: 'nat' | 'filter', lines: string[]): string => {
    const now = new Set(rules.chains[name]);
    const stale = (previous?.[name] ?? []).filter((c) => !now.has(c));
    return [
      `*${name}`,
      ...rules.chains[name].map((c) => `:${c} - [0:0]`),
      // A stale chain must be empty before it can go; declaring it empties it.
      ...stale.map((c) => `:${c} - [0:0]`),
      ...lines,
      ...stale.map((c) => `-X ${c}`),
      'COMMIT',
    ].join('\n');
  };
  return `${table('filter', rules.filter)}\n${table('nat', rules.nat)}\n`;
}
