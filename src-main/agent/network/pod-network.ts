// A pod's sandbox network: its own network namespace, attached to the node-local bridge through
// the standard CNI plugins (bridge with host-local IPAM over the node's podCIDR for eth0, portmap
// for the containers' hostPorts, and loopback for lo), as containerd's CRI plugin does for a pod
// sandbox. The containers of the pod all join this namespace, so they share one IP and reach each
// other on localhost. The network configuration is written to <state>/cni/net.d, where a user
// (or another CNI runtime) finds it as in /etc/cni/net.d.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { writeFileAtomic } from '../../util/files.ts';
import { addNetworkList, checkNetworkList, delNetworkList, type CniNetworkList, type CniResult, type CniRuntime, type PortMapping } from './cni.ts';

export interface PodNetworkOptions {
  /** The node's pod range (spec.podCIDR), e.g. 10.42.3.0/24. */
  podCIDR: string;
  /** Where IP allocations and each pod's CNI result are kept (survive an agent restart). */
  stateDir: string;
  /** The node-local bridge (Linux limits names to 15 characters). */
  bridge?: string;
  cni: CniRuntime;
  log?: (line: string) => void;
}

export interface PodSandboxNetwork {
  netnsName: string;
  netnsPath: string;
  /** The pod's IPv4 address, without the prefix length. */
  ip: string;
}

/** What DEL needs after a restart: the ADD's result and the port mappings it made. */
interface SavedAttachment {
  sandbox: PodSandboxNetwork;
  result: CniResult;
  portMappings?: PortMapping[];
}

const NETNS_DIR = '/run/netns';

/** The node-local bridge the pods attach to (agent reset removes it). */
export const DEFAULT_BRIDGE = 'kubelab0';

/** Where `ip netns` keeps a named network namespace. */
export const netnsPathOf = (name: string): string => join(NETNS_DIR, name);

const run = (file: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout)));
  });

/** The netns name of a pod: unique on the machine, even with several agents on it. */
export function netnsNameOf(podUID: string): string {
  return `kubelab-${podUID}`;
}

export class PodNetwork {
  private readonly list: CniNetworkList;
  private readonly loopback: CniNetworkList = { cniVersion: '1.0.0', name: 'cni-loopback', plugins: [{ type: 'loopback' }] };

  constructor(private readonly opts: PodNetworkOptions) {
    this.list = {
      cniVersion: '1.0.0',
      name: 'kubelab',
      plugins: [
        {
          type: 'bridge',
          bridge: opts.bridge ?? DEFAULT_BRIDGE,
          isGateway: true,
          // Pods reach each other without NAT; masquerading off-cluster traffic is the
          // networking issue's iptables work, not the bridge's.
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: opts.podCIDR }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(opts.stateDir, 'ipam') },
        },
        // hostPort: DNAT from the node's port to the pod's, as the kubelet asks of any CNI network.
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      ],
    };
    mkdirSync(join(opts.stateDir, 'net.d'), { recursive: true });
    writeFileAtomic(join(opts.stateDir, 'net.d', '10-kubelab.conflist'), `${JSON.stringify(this.list, null, 2)}\n`);
  }

  /**
   * Creates the pod's namespace and attaches it. A pod set up before (by an agent since
   * restarted) keeps its network: the plugins' CHECK says whether it is still as they made it.
   */
  async setUp(podUID: string, portMappings: PortMapping[] = []): Promise<PodSandboxNetwork> {
    const existing = this.recorded(podUID);
    if (existing) {
      await checkNetworkList(this.opts.cni, this.checkedList(), { containerID: podUID, netnsPath: existing.sandbox.netnsPath, ifName: 'eth0' }, existing.result, { portMappings: existing.portMappings })
        .catch((e: Error) => this.opts.log?.(`agent: pod ${podUID}: its network is not as CNI made it: ${e.message}`));
      return existing.sandbox;
    }
    const netnsName = netnsNameOf(podUID);
    const netnsPath = netnsPathOf(netnsName);
    if (!existsSync(netnsPath)) await run('ip', ['netns', 'add', netnsName]);
    try {
      await addNetworkList(this.opts.cni, this.loopback, { containerID: podUID, netnsPath, ifName: 'lo' });
      const result = await addNetworkList(this.opts.cni, this.list, { containerID: podUID, netnsPath, ifName: 'eth0' }, { portMappings });
      const address = result.ips?.find((i) => !i.address.includes(':'))?.address;
      if (!address) throw new Error(`CNI gave pod ${podUID} no IPv4 address`);
      const sandbox = { netnsName, netnsPath, ip: address.split('/')[0] };
      this.record(podUID, { sandbox, result, portMappings });
      return sandbox;
    } catch (e) {
      await this.tearDown(podUID).catch(() => undefined);
      throw e;
    }
  }

  /**
   * What CHECK runs: all but portmap, whose CHECK (up to plugins 1.2) also looks for IPv6 rules an
   * IPv4-only pod never had, and always fails (containernetworking/plugins#819).
   */
  private checkedList(): CniNetworkList {
    return { ...this.list, plugins: this.list.plugins.filter((p) => p.type !== 'portmap') };
  }

  /** Detaches the pod (its IP goes back to the range) and removes its namespace; idempotent. */
  async tearDown(podUID: string): Promise<void> {
    const netnsName = netnsNameOf(podUID);
    const netnsPath = netnsPathOf(netnsName);
    const saved = this.saved(podUID);
    // DEL must run even when the namespace is gone, so host-local frees the address; and the
    // namespace goes even when DEL failed, so a plugin's error never leaves one behind.
    let delError: unknown;
    await delNetworkList(this.opts.cni, this.list, { containerID: podUID, netnsPath, ifName: 'eth0' }, saved?.result, { portMappings: saved?.portMappings }).catch((e: unknown) => (delError = e));
    if (existsSync(netnsPath)) await run('ip', ['netns', 'delete', netnsName]);
    if (delError) throw delError;
    rmSync(this.resultFile(podUID), { force: true });
  }

  private resultFile(podUID: string): string {
    return join(this.opts.stateDir, 'pods', `${podUID}.json`);
  }

  private saved(podUID: string): SavedAttachment | undefined {
    try {
      return JSON.parse(readFileSync(this.resultFile(podUID), 'utf8')) as SavedAttachment;
    } catch {
      return undefined;
    }
  }

  /** A set-up pod whose namespace still exists (after an agent restart, nothing is redone). */
  private recorded(podUID: string): SavedAttachment | undefined {
    const saved = this.saved(podUID);
    return saved && existsSync(saved.sandbox.netnsPath) ? saved : undefined;
  }

  private record(podUID: string, saved: SavedAttachment): void {
    mkdirSync(join(this.opts.stateDir, 'pods'), { recursive: true });
    writeFileSync(this.resultFile(podUID), JSON.stringify(saved));
  }
}

/** The containers' hostPorts as CNI's portMappings capability carries them. */
export function hostPortMappings(pod: Pod): PortMapping[] {
  return (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []).filter((p) => p.hostPort).map((p) => ({
    hostPort: p.hostPort!,
    containerPort: p.containerPort,
    protocol: (p.protocol ?? 'TCP').toLowerCase(),
    ...(p.hostIP ? { hostIP: p.hostIP } : {}),
  }));
}
