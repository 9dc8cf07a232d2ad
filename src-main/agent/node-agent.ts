// The agent's node half (the kubelet's node status manager and lease controller): register the
// Node, renew its Lease every 10 s, and check the machine every 10 s, writing the status when it
// changed and at least every 5 minutes (nodeStatusUpdateFrequency / nodeStatusReportFrequency).
import { mkdirSync } from 'node:fs';
import type { Node, NodeStatus } from 'kubernetes-types/core/v1';
import { isAlreadyExists } from '../client/api-error.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { gvr } from '../client/resources.ts';
import { every, realClock, type Clock } from '../util/clock.ts';
import { rfc3339 } from '../util/rfc3339.ts';
import { internalIP, readMachine, readPressure, type MachineInfo } from './kubelet/machine.ts';
import type { Threshold } from './kubelet/eviction/thresholds.ts';
import { NodeLease } from './kubelet/node-lease.ts';
import { nodeLabels, nodeObject, nodeStatus, statusChanged, type NodeConfig } from './kubelet/node-status.ts';
import { runtimeVersion, type RuntimeName } from './runtime/runtime-version.ts';

export interface NodeAgentOptions {
  client: KubeClient;
  nodeName: string;
  stateDir: string;
  runtime: RuntimeName;
  /** The InternalIP to report; the first non-loopback IPv4 address otherwise. */
  nodeIP?: string;
  maxPods?: number;
  /** --eviction-hard: the thresholds the pressure conditions report (upstream's defaults otherwise). */
  evictionHard?: readonly Threshold[];
  /** The port the agent's HTTPS endpoint listens on, reported in status.daemonEndpoints. */
  kubeletPort?: number;
  clock?: Clock;
  log?: (line: string) => void;
}

const CHECK_MS = 10_000;
const REPORT_MS = 5 * 60_000;
const LEASE_RENEW_MS = 10_000;

export class NodeAgent {
  private readonly clock: Clock;
  private readonly lease: NodeLease;
  private machine!: MachineInfo;
  private config!: NodeConfig;
  private uid?: string;
  private reported?: { status: NodeStatus; at: number };
  private readonly cancels: (() => void)[] = [];

  constructor(private readonly opts: NodeAgentOptions) {
    this.clock = opts.clock ?? realClock;
    this.lease = new NodeLease(opts.client, opts.nodeName);
  }

  async start(): Promise<void> {
    mkdirSync(this.opts.stateDir, { recursive: true });
    this.machine = readMachine();
    this.config = {
      name: this.opts.nodeName,
      address: internalIP(this.opts.nodeIP),
      runtimeVersion: await runtimeVersion(this.opts.runtime),
      maxPods: this.opts.maxPods ?? 110,
      evictionHard: this.opts.evictionHard,
      kubeletPort: this.opts.kubeletPort,
    };
    if (!this.config.runtimeVersion) this.log(`agent: ${this.opts.runtime} does not answer to --version; the node stays NotReady`);
    await this.register();
    await this.lease.renew(this.clock.now(), this.uid);
    this.cancels.push(every(this.clock, LEASE_RENEW_MS, () => void this.lease.renew(this.clock.now(), this.uid).catch((e) => this.warn('lease renewal', e))));
    this.cancels.push(every(this.clock, CHECK_MS, () => void this.syncStatus().catch((e) => this.warn('node status', e))));
  }

  stop(): void {
    for (const cancel of this.cancels.splice(0)) cancel();
  }

  private status(previous: NodeStatus | undefined): NodeStatus {
    return nodeStatus(this.config, this.machine, readPressure(this.opts.stateDir), previous?.conditions, rfc3339(this.clock.now()));
  }

  /** Creates the Node, or takes over an existing one (a restart): its spec stays, the status is fresh. */
  private async register(): Promise<void> {
    const { client, nodeName } = this.opts;
    const wanted = nodeObject(this.config, this.machine, this.status(undefined));
    try {
      const created = await client.create<Node>(gvr.nodes, wanted);
      this.uid = created.metadata?.uid;
      this.log(`agent: registered node ${nodeName}`);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await client.get<Node>(gvr.nodes, undefined, nodeName);
      this.uid = existing.metadata?.uid;
      const labels = { ...nodeLabels(this.config, this.machine), ...existing.metadata?.labels };
      const updated = await client.update<Node>(gvr.nodes, { ...existing, metadata: { ...existing.metadata, labels } });
      await client.updateStatus<Node>(gvr.nodes, { ...updated, status: this.status(existing.status) });
      this.log(`agent: node ${nodeName} already registered; took it over`);
    }
    this.reported = { status: wanted.status!, at: this.clock.now() };
  }

  private async syncStatus(): Promise<void> {
    const status = this.status(this.reported?.status);
    const due = !this.reported || this.clock.now() - this.reported.at >= REPORT_MS;
    if (!due && !statusChanged(this.reported?.status, status)) return;
    await this.opts.client.patch(gvr.nodes, undefined, this.opts.nodeName, { status }, 'strategic', { subresource: 'status' });
    this.reported = { status, at: this.clock.now() };
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  private warn(what: string, err: unknown): void {
    this.log(`agent: ${what} failed: ${(err as Error).message}`);
  }
}
