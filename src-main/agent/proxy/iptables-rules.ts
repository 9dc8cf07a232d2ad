// The service rules as iptables-restore input, laid out as kube-proxy's iptables mode lays them
// out: nat KUBE-SERVICES → KUBE-SVC-* (one per service port, endpoints chosen with
// statistic/random probabilities 1/n, 1/(n-1) … 1) → KUBE-SEP-* (DNAT to one endpoint), nodePorts
// through KUBE-NODEPORTS → KUBE-EXT-*, masquerading marked with 0x4000 in KUBE-MARK-MASQ and done
// in KUBE-POSTROUTING; a service port without endpoints is rejected in the filter table. Rules are
// kept per chain, so a sync rewrites only the chains that changed (kube-proxy's partial sync), and
// `iptables-restore --noflush` swaps them in one transaction: there is never a window without rules.
import { endpointChain, serviceChain } from './chain-names.ts';
import type { ProxyConfig, ProxyServicePort } from './proxy-model.ts';
import type { RuleCache } from './rule-cache.ts';

export const MASQ_MARK = '0x4000/0x4000';

/** The chains of one table: each owned chain with its rules ("-A CHAIN ..."), in order. */
export type ChainRules = Map<string, string[]>;

export interface RuleSet {
  nat: ChainRules;
  filter: ChainRules;
}

export type Table = keyof RuleSet;

/**
 * What is in the kernel from the last sync: the same shape, or a chain's rules unknown (found by
 * iptables-save after a restart), which makes the next sync rewrite or delete it.
 */
export type AppliedRules = { [T in Table]: Map<string, string[] | undefined> };

/** The chains the built-in ones jump to, and from where, first in each in this order (ensured apart from the restore). */
export const JUMPS: readonly { table: Table; from: string; to: string; comment: string; args?: string }[] = [
  { table: 'nat', from: 'PREROUTING', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'POSTROUTING', to: 'KUBE-POSTROUTING', comment: 'kubernetes postrouting rules' },
  { table: 'nat', from: 'POSTROUTING', to: 'KUBE-POD-MASQ', comment: 'kubelab pod traffic leaving the cluster' },
  // In this order in FORWARD: a service without endpoints is refused before the pod range's accepts.
  { table: 'filter', from: 'FORWARD', to: 'KUBE-SERVICES', comment: 'kubernetes service portals', args: '-m conntrack --ctstate NEW' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-EXTERNAL-SERVICES', comment: 'kubernetes externally-visible service portals', args: '-m conntrack --ctstate NEW' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-FORWARD', comment: 'kubernetes forwarding rules' },
  { table: 'filter', from: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals', args: '-m conntrack --ctstate NEW' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-EXTERNAL-SERVICES', comment: 'kubernetes externally-visible service portals', args: '-m conntrack --ctstate NEW' },
];

/** The proxy's own chains (what a restart finds and rewrites). */
export const PROXY_CHAIN = /^KUBE-(SERVICES|NODEPORTS|POSTROUTING|MARK-MASQ|POD-MASQ|FORWARD|EXTERNAL-SERVICES|SVC-|SVL-|EXT-|FW-|SEP-)/;
/** The portmap CNI plugin's chains for the pods' hostPorts (shared ones, then one per pod). */
export const PORTMAP_CHAIN = /^CNI-(HOSTPORT-|DN-)/;
/** Everything the node network makes in iptables (what uninstall removes). */
export const OWNED_CHAIN = new RegExp(`${PROXY_CHAIN.source}|${PORTMAP_CHAIN.source}`);

const comment = (text: string): string => `-m comment --comment ${JSON.stringify(text)}`;

/**
 * Above this many endpoints the per-endpoint rules go without comments, as in kube-proxy's "large
 * cluster mode": they are most of the rules, and iptables-restore takes markedly longer with them.
 */
export const LARGE_CLUSTER_ENDPOINTS = 1000;
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

/** Rules being built: `add(chain, rule)` appends "-A chain rule", declaring the chain. */
class TableBuilder {
  readonly chains: ChainRules = new Map();

  constructor(base: readonly string[]) {
    for (const c of base) this.chains.set(c, []);
  }

  declare(chain: string): void {
    if (!this.chains.has(chain)) this.chains.set(chain, []);
  }

  has(chain: string): boolean {
    return this.chains.has(chain);
  }

  /** Another builder's chains, after what is here (copied: cached rules must never change). */
  append(chains: ChainRules): void {
    for (const [chain, rules] of chains) {
      this.declare(chain);
      this.chains.get(chain)!.push(...rules);
    }
  }

  add(chain: string, rule: string): void {
    this.declare(chain);
    this.chains.get(chain)!.push(`-A ${chain} ${rule}`);
  }
}

/** One service port's rules, every chain it writes to (the shared ones too) in the order written. */
export type ServicePortRules = RuleSet;

export function buildRules(ports: readonly ProxyServicePort[], config: ProxyConfig, cache?: RuleCache<ServicePortRules>): RuleSet {
  const nat = new TableBuilder(['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-POD-MASQ']);
  const filter = new TableBuilder(['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD']);
  const cluster = config.clusterCIDR;

  nat.add('KUBE-POSTROUTING', `-m mark ! --mark ${MASQ_MARK} -j RETURN`);
  // Clear the mark so a re-traversal (an IPsec tunnel, say) is not masqueraded twice.
  nat.add('KUBE-POSTROUTING', '-j MARK --xor-mark 0x4000');
  nat.add('KUBE-POSTROUTING', `${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE`);
  nat.add('KUBE-MARK-MASQ', '-j MARK --or-mark 0x4000');
  // Pods keep their address to each other (across nodes too); what leaves the cluster goes out
  // with the node's, or the reply would be for a pod address no other machine routes.
  nat.add('KUBE-POD-MASQ', `${comment('pod traffic leaving the cluster')} -s ${cluster} ! -d ${cluster} -j MASQUERADE`);
  // A host whose FORWARD policy is DROP (Docker's) still forwards the pods' and services' traffic.
  filter.add('KUBE-FORWARD', `${comment('kubernetes forwarding rules')} -m mark --mark ${MASQ_MARK} -j ACCEPT`);
  filter.add('KUBE-FORWARD', `${comment('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  filter.add('KUBE-FORWARD', `${comment('pod network')} -s ${cluster} -j ACCEPT`);
  filter.add('KUBE-FORWARD', `${comment('pod network')} -d ${cluster} -j ACCEPT`);

  const large = ports.reduce((n, p) => n + (p.clusterIP ? p.endpoints.length : 0), 0) > LARGE_CLUSTER_ENDPOINTS;
  // Sorted, so the same services always give the same rules (and an unchanged state, no write).
  for (const p of [...ports].sort((a, b) => (a.name + a.protocol).localeCompare(b.name + b.protocol))) {
    if (!p.clusterIP) continue;
    const build = () => servicePortRules(p, config, large);
    const rules = cache ? cache.get(`${cluster} ${large} ${JSON.stringify(p)}`, build) : build();
    nat.append(rules.nat);
    filter.append(rules.filter);
  }
  cache?.endBuild();
  // Last: node ports are for the node's own addresses, after every VIP had its chance.
  nat.add('KUBE-SERVICES', `${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`);
  return { nat: nat.chains, filter: filter.chains };
}

function servicePortRules(p: ProxyServicePort, config: ProxyConfig, large: boolean): ServicePortRules {
  const nat = new TableBuilder([]);
  const filter = new TableBuilder([]);
  writeServicePort(nat, filter, p, config, large);
  return { nat: nat.chains, filter: filter.chains };
}

function writeServicePort(nat: TableBuilder, filter: TableBuilder, p: ProxyServicePort, config: ProxyConfig, large: boolean): void {
  const dests = [p.clusterIP!, ...p.externalIPs];
  if (p.endpoints.length === 0) {
    // As kube-proxy: connections to a service with no endpoints are refused, not left to time out.
    for (const ip of dests) filter.add('KUBE-SERVICES', `${comment(`${p.name} has no endpoints`)} ${proto(p)} -d ${ip}/32 --dport ${p.port} ${reject(p)}`);
    if (p.nodePort) filter.add('KUBE-EXTERNAL-SERVICES', `${comment(`${p.name} has no endpoints`)} -m addrtype --dst-type LOCAL ${proto(p)} --dport ${p.nodePort} ${reject(p)}`);
    return;
  }
  const svc = serviceChain('SVC', p.name, p.protocol);
  nat.add('KUBE-SERVICES', `${comment(`${p.name} cluster IP`)} ${proto(p)} -d ${p.clusterIP}/32 --dport ${p.port} -j ${svc}`);
  // Off-cluster clients reaching the VIP (from the node itself, say) must see replies come back
  // through this node: masquerade them.
  nat.add(svc, `${comment(`${p.name} cluster IP`)} ${proto(p)} -d ${p.clusterIP}/32 --dport ${p.port} ! -s ${config.clusterCIDR} -j KUBE-MARK-MASQ`);
  const external = p.externalIPs.length > 0 || p.nodePort !== undefined;
  const ext = serviceChain('EXT', p.name, p.protocol);
  if (external) {
    nat.declare(ext);
    for (const ip of p.externalIPs) nat.add('KUBE-SERVICES', `${comment(`${p.name} external IP`)} ${proto(p)} -d ${ip}/32 --dport ${p.port} -j ${ext}`);
    if (p.nodePort) nat.add('KUBE-NODEPORTS', `${comment(p.name)} ${proto(p)} --dport ${p.nodePort} -j ${ext}`);
  }
  writeEndpoints(nat, svc, p, p.endpoints, large);
  if (external) writeExternal(nat, filter, ext, svc, p, config, large);
}

/** The spread over endpoints: rule i of n matches with probability 1/(n-i), the last always. */
function writeEndpoints(nat: TableBuilder, from: string, p: ProxyServicePort, endpoints: ProxyServicePort['endpoints'], large: boolean): void {
  const note = (text: string): string => (large ? '' : `${comment(text)} `);
  const seps = endpoints.map((e) => ({ e, chain: endpointChain(p.name, p.protocol, `${e.ip}:${e.port}`) }));
  // ClientIP affinity: a client seen recently goes back to its endpoint first.
  if (p.affinitySeconds) {
    for (const { e, chain } of seps) nat.add(from, `${note(`${p.name} -> ${e.ip}:${e.port}`)}-m recent --name ${chain} --mask 255.255.255.255 --rsource --rcheck --seconds ${p.affinitySeconds} --reap -j ${chain}`);
  }
  seps.forEach(({ e, chain }, i) => {
    const left = seps.length - i;
    const pick = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(10)} ` : '';
    nat.add(from, `${note(`${p.name} -> ${e.ip}:${e.port}`)}${pick}-j ${chain}`);
    if (nat.has(chain)) return;
    // Hairpin: a pod reaching itself through its own service must have the reply come back via
    // the node, or its own packet would look like a stranger's.
    nat.add(chain, `${note(p.name)}-s ${e.ip}/32 -j KUBE-MARK-MASQ`);
    const affinity = p.affinitySeconds ? ` -m recent --name ${chain} --mask 255.255.255.255 --rsource --set` : '';
    nat.add(chain, `${note(p.name)}${proto(p)}${affinity} -j DNAT --to-destination ${e.ip}:${e.port}`);
  });
}

/**
 * Traffic from outside the cluster (node ports, external and load-balancer IPs). Cluster policy:
 * masquerade and spread over every endpoint. Local policy: only this node's endpoints and the
 * client's address kept; pods still reach every endpoint; no local endpoint → dropped.
 */
function writeExternal(nat: TableBuilder, filter: TableBuilder, ext: string, svc: string, p: ProxyServicePort, config: ProxyConfig, large: boolean): void {
  if (p.externalTrafficPolicy === 'Cluster') {
    nat.add(ext, `${comment('masquerade traffic for ' + p.name + ' external destinations')} -j KUBE-MARK-MASQ`);
    nat.add(ext, `-j ${svc}`);
    return;
  }
  nat.add(ext, `${comment('pod traffic for ' + p.name + ' external destinations')} -s ${config.clusterCIDR} -j ${svc}`);
  const local = p.endpoints.filter((e) => e.local);
  if (local.length === 0) {
    for (const ip of p.externalIPs) filter.add('KUBE-EXTERNAL-SERVICES', `${comment(`${p.name} has no local endpoints`)} ${proto(p)} -d ${ip}/32 --dport ${p.port} ! -s ${config.clusterCIDR} -j DROP`);
    if (p.nodePort) filter.add('KUBE-EXTERNAL-SERVICES', `${comment(`${p.name} has no local endpoints`)} -m addrtype --dst-type LOCAL ${proto(p)} --dport ${p.nodePort} ! -s ${config.clusterCIDR} -j DROP`);
    return;
  }
  const svl = serviceChain('SVL', p.name, p.protocol);
  nat.add(ext, `-j ${svl}`);
  writeEndpoints(nat, svl, p, local, large);
}

/** Every rule of a table, chain by chain (what the tests and a full write look at). */
export function allRules(chains: ChainRules): string[] {
  return [...chains.values()].flat();
}

const sameRules = (a: readonly string[] | undefined, b: readonly string[]): boolean => a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);

/**
 * iptables-restore --noflush input that turns `applied` into `rules`: the chains that changed are
 * declared (which empties them) and filled, the chains owned before but not now are emptied and
 * deleted, and the unchanged ones are not mentioned — one transaction per table. Empty when
 * nothing changed.
 */
export function restoreText(rules: RuleSet, applied?: AppliedRules): string {
  const table = (name: Table): string[] => {
    const now = rules[name];
    const before = applied?.[name] ?? new Map<string, string[] | undefined>();
    const changed = [...now].filter(([chain, lines]) => !sameRules(before.get(chain), lines));
    const stale = [...before.keys()].filter((c) => !now.has(c));
    if (changed.length === 0 && stale.length === 0) return [];
    return [
      `*${name}`,
      ...changed.map(([c]) => `:${c} - [0:0]`),
      // A stale chain must be empty before it can go; declaring it empties it.
      ...stale.map((c) => `:${c} - [0:0]`),
      ...changed.flatMap(([, lines]) => lines),
      ...stale.map((c) => `-X ${c}`),
      'COMMIT',
    ];
  };
  const lines = [...table('filter'), ...table('nat')];
  return lines.length ? `${lines.join('\n')}\n` : '';
}
