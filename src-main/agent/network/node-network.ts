// The node's side of the flat pod network (flannel's host-gw backend): the bridge the pods attach
// to, with the first address of the node's podCIDR as their gateway; forwarding on; and a route to
// every other node's podCIDR through that node's InternalIP, kept as nodes come and go. Packets
// between pods keep their addresses end to end, so a pod sees the real source IP of another.
// host-gw needs the nodes on one L2 segment: a peer reached through a router gets no route, and
// the agent says so (the join says it first).
import { execFile } from 'node:child_process';
import type { Node } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../../client/kube-client.ts';
import { Informer, stripManagedFields } from '../../client/informer.ts';
import { gvr } from '../../client/resources.ts';
import { DEFAULT_BRIDGE } from './pod-network.ts';

/** The routing protocol number marking this agent's routes (what reset and resyncs look for). */
export const ROUTE_PROTOCOL = '66';

const run = (args: string[], netns?: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const argv = netns ? ['-n', netns, ...args] : args;
    execFile('ip', argv, { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`ip ${argv.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout)));
  });

/** The first host address of a CIDR (10.42.3.0/24 → 10.42.3.1), with the prefix length. */
export function gatewayOf(cidr: string): { ip: string; prefix: number } {
  const [base, bits] = cidr.split('/') as [string, string];
  const n = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) + 1;
  return { ip: [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.'), prefix: Number(bits) };
}

const internalIP = (n: Node): string | undefined => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;

export interface PeerRoute {
  cidr: string;
  via: string;
}

/** The routes host-gw wants: every other node with a podCIDR and an IPv4 InternalIP. */
export function peerRoutes(nodes: readonly Node[], self: string): PeerRoute[] {
  return nodes
    .filter((n) => n.metadata?.name !== self && !n.metadata?.deletionTimestamp)
    .flatMap((n) => {
      const cidr = n.spec?.podCIDR;
      const via = internalIP(n);
      return cidr && via && /^\d+\.\d+\.\d+\.\d+$/.test(via) ? [{ cidr, via }] : [];
    })
    .sort((a, b) => a.cidr.localeCompare(b.cidr));
}

export interface NodeNetworkOptions {
  client: KubeClient;
  nodeName: string;
  /** The node's network namespace when it is not the agent's own (--cni-netns). */
  netns?: string;
  bridge?: string;
  log: (line: string) => void;
}

export class NodeNetwork {
  private readonly nodes: Informer<Node>;
  private cidr?: string;
  private readonly podCIDRKnown: Promise<string>;
  private resolveCIDR!: (cidr: string) => void;
  /** Peers already reported as unreachable without a router (said once each). */
  private readonly warned = new Set<string>();
  private syncing = Promise.resolve();

  constructor(private readonly opts: NodeNetworkOptions) {
    this.podCIDRKnown = new Promise((r) => (this.resolveCIDR = r));
    this.nodes = new Informer<Node>(opts.client, gvr.nodes, { transform: stripManagedFields });
    const changed = () => {
      this.syncing = this.syncing.then(() => this.sync()).catch((e: Error) => opts.log(`agent: pod network routes: ${e.message}`));
    };
    this.nodes.on('add', changed).on('update', changed).on('delete', changed).on('error', (e) => opts.log(`agent: nodes watch: ${e.message}`));
  }

  get bridge(): string {
    return this.opts.bridge ?? DEFAULT_BRIDGE;
  }

  /** Watches the nodes; resolves once listed (the podCIDR may come later: see podCIDR()). */
  async start(): Promise<void> {
    await run(['-4', 'route', 'show']); // fails early where there is no iproute2
    await this.sysctl('net/ipv4/ip_forward', '1');
    await this.nodes.start();
  }

  stop(): void {
    this.nodes.stop();
  }

  /** The node's podCIDR, once the control plane assigned it and the bridge carries its gateway. */
  podCIDR(): Promise<string> {
    return this.podCIDRKnown;
  }

  /** The bridge address: the pods' gateway and where the node's DNS listens. */
  async gateway(): Promise<string> {
    return gatewayOf(await this.podCIDR()).ip;
  }

  private async sync(): Promise<void> {
    const self = this.nodes.get(this.opts.nodeName);
    const cidr = self?.spec?.podCIDR;
    if (cidr && !this.cidr) {
      await this.ensureBridge(cidr);
      this.cidr = cidr;
      this.resolveCIDR(cidr);
    }
    await this.syncRoutes(peerRoutes(this.nodes.list(), this.opts.nodeName));
  }

  /** The bridge with the gateway address up before any pod, so the DNS can listen on it. */
  private async ensureBridge(cidr: string): Promise<void> {
    const { ip, prefix } = gatewayOf(cidr);
    const exists = await run(['link', 'show', 'dev', this.bridge], this.opts.netns).then(() => true, () => false);
    if (!exists) await run(['link', 'add', this.bridge, 'type', 'bridge'], this.opts.netns);
    const addrs = await run(['-4', '-o', 'addr', 'show', 'dev', this.bridge], this.opts.netns);
    if (!addrs.includes(` ${ip}/${prefix} `)) await run(['addr', 'add', `${ip}/${prefix}`, 'dev', this.bridge], this.opts.netns);
    await run(['link', 'set', this.bridge, 'up'], this.opts.netns);
  }

  private async syncRoutes(wanted: PeerRoute[]): Promise<void> {
    const reachable: PeerRoute[] = [];
    for (const r of wanted) {
      const problem = await this.directProblem(r.via);
      if (!problem) {
        reachable.push(r);
        this.warned.delete(r.via);
      } else if (!this.warned.has(r.via)) {
        this.warned.add(r.via);
        this.opts.log(`agent: no route to pods ${r.cidr} on ${r.via}: ${problem}`);
      }
    }
    const present = await this.presentRoutes();
    for (const r of reachable) {
      if (present.get(r.cidr) !== r.via) await run(['route', 'replace', r.cidr, 'via', r.via, 'proto', ROUTE_PROTOCOL], this.opts.netns);
    }
    const keep = new Set(reachable.map((r) => r.cidr));
    for (const cidr of present.keys()) if (!keep.has(cidr)) await run(['route', 'del', cidr, 'proto', ROUTE_PROTOCOL], this.opts.netns);
  }

  /** Why host-gw cannot reach a peer directly (a router between, or it is this machine), if so. */
  private async directProblem(ip: string): Promise<string | undefined> {
    const [route] = JSON.parse(await run(['-j', 'route', 'get', ip], this.opts.netns).catch(() => '[]')) as { gateway?: string; type?: string; dev?: string }[];
    if (!route) return 'no route to the node at all';
    if (route.type === 'local' || route.dev === 'lo') return 'it is an address of this machine';
    if (route.gateway) return `the node is behind the router ${route.gateway}, and host-gw routing needs every node on one network segment`;
    return undefined;
  }

  /** This agent's routes now in the table: podCIDR → gateway. */
  private async presentRoutes(): Promise<Map<string, string>> {
    const routes = JSON.parse(await run(['-j', '-4', 'route', 'show', 'proto', ROUTE_PROTOCOL], this.opts.netns)) as { dst: string; gateway?: string }[];
    return new Map(routes.map((r) => [r.dst, r.gateway ?? '']));
  }

  private async sysctl(key: string, value: string): Promise<void> {
    const args = ['sh', '-c', `echo ${value} > /proc/sys/${key}`];
    await new Promise<void>((resolve, reject) => {
      const [cmd, argv] = this.opts.netns ? ['ip', ['netns', 'exec', this.opts.netns, ...args]] : [args[0]!, args.slice(1)];
      execFile(cmd, argv, (err) => (err ? reject(new Error(`cannot set ${key} to ${value}: ${err.message}`)) : resolve()));
    });
  }
}
