// Hollow nodes, as kwok makes them: Nodes that register, renew their Lease, and play the kubelet
// for the pods bound to them (Running, Ready after a delay, finished when told to, deleted at
// the end of their grace period) without running anything. One fleet drives any number of them
// through one pods watch, so a thousand nodes cost a thousand Node objects, not a thousand
// watches. Used by tests, the scheduler benchmark and `kubelab serve --simulate-nodes N`.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { isAlreadyExists, isConflict, isNotFound } from '../client/api-error.ts';
import { Informer, objectKey, stripManagedFields } from '../client/informer.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { gvr } from '../client/resources.ts';
import { WorkQueue, runWorkers } from '../client/workqueue.ts';
import type { MetricsSource, PodUsage, UsageReport } from '../metrics/usage.ts';
import { every, realClock, type Clock } from '../util/clock.ts';
import { milliValue, parseQuantity, value } from '../util/quantity.ts';
import { hollowAddress, nodeObject, readyConditions, type HollowNodeSpec } from './node-object.ts';
import { NodeLease } from '../agent/kubelet/node-lease.ts';
import { PodIPs } from './pod-ips.ts';
import { finishedStatus, hollowAnnotations, runningStatus, type RunningState } from './pod-status.ts';

export type { HollowNodeSpec } from './node-object.ts';
export { hollowAnnotations } from './pod-status.ts';

export interface HollowFleetOptions {
  client: KubeClient;
  nodes: HollowNodeSpec[];
  clock?: Clock;
  /** Time from binding to Running (default 0). */
  startDelayMs?: number;
  /** Time from Running to Ready, unless a pod's annotation says otherwise (default 0). */
  readyDelayMs?: number;
  /** Lease renewal interval (the kubelet's 10 s). */
  leaseRenewMs?: number;
  /** Node status heartbeat interval (the kubelet's nodeStatusReportFrequency, 5 min). */
  statusReportMs?: number;
  /** Status writes in flight at once. */
  workers?: number;
  log?: (line: string) => void;
}

/** Fake usage of one pod: per container, cpu in millicores and memory in bytes. */
export type UsageFn = (pod: Pod) => { cpuMilli: number; memoryBytes: number } | undefined;

interface HollowNode {
  spec: HollowNodeSpec;
  index: number;
  silent: boolean;
  uid?: string;
  lease: NodeLease;
  ips: PodIPs;
}

interface PodRun extends RunningState {
  uid: string;
  finished: boolean;
}

/** `sim-1` … `sim-N`, the names `--simulate-nodes N` uses. */
export function simulatedNodes(count: number, spec: Omit<HollowNodeSpec, 'name'> = {}): HollowNodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ ...spec, name: `sim-${i + 1}` }));
}

export class HollowFleet implements MetricsSource {
  private readonly clock: Clock;
  private readonly nodes = new Map<string, HollowNode>();
  private readonly runs = new Map<string, PodRun>();
  private readonly pods: Informer<Pod>;
  private readonly nodeCache: Informer<Node>;
  private readonly queue: WorkQueue<string>;
  private readonly fallbackIPs = new PodIPs();
  private readonly cancels: (() => void)[] = [];
  private usage?: UsageFn;
  private running?: Promise<void>;

  constructor(private readonly opts: HollowFleetOptions) {
    this.clock = opts.clock ?? realClock;
    this.queue = new WorkQueue<string>(undefined, this.clock);
    opts.nodes.forEach((spec, index) => this.nodes.set(spec.name, { spec, index, silent: false, ips: new PodIPs(), lease: new NodeLease(opts.client, spec.name) }));
    // Only bound pods: a kubelet watches spec.nodeName=<itself>; the fleet, all bound ones.
    this.pods = new Informer<Pod>(opts.client, gvr.pods, { fieldSelector: 'spec.nodeName!=', pageSize: 1000, transform: stripManagedFields });
    const enqueue = (pod: Pod): void => {
      const node = this.nodes.get(pod.spec?.nodeName ?? '');
      if (node && !node.silent) this.queue.add(objectKey(pod));
    };
    this.nodeCache = new Informer<Node>(opts.client, gvr.nodes, { labelSelector: 'node.kubelab.dev/hollow=true', pageSize: 1000 });
    this.pods.on('add', enqueue).on('update', (_o, n) => enqueue(n)).on('delete', (pod) => this.forget(objectKey(pod)));
  }

  async start(): Promise<void> {
    await this.forEachNode((n) => this.register(n));
    await Promise.all([this.nodeCache.start(), this.pods.start()]);
    this.running = runWorkers(this.queue, this.opts.workers ?? 32, (key) => this.syncPod(key), (key, err) => {
      if (!isConflict(err) && !isNotFound(err)) this.log(`hollow: pod ${key}: ${(err as Error).message}`);
    });
    this.cancels.push(every(this.clock, this.opts.leaseRenewMs ?? 10_000, () => void this.forEachNode((n) => this.renewLease(n))));
    this.cancels.push(every(this.clock, this.opts.statusReportMs ?? 300_000, () => void this.forEachNode((n) => this.reportStatus(n))));
  }

  async stop(): Promise<void> {
    for (const c of this.cancels.splice(0)) c();
    this.pods.stop();
    this.nodeCache.stop();
    this.queue.shutDown();
    await this.running;
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** The node stops renewing its lease and reporting anything, as if unplugged. */
  silence(name: string): void {
    this.node(name).silent = true;
  }

  /** The node comes back: it renews its lease and reports Ready at once. */
  async resume(name: string): Promise<void> {
    const node = this.node(name);
    node.silent = false;
    await this.renewLease(node);
    await this.reportStatus(node);
    for (const pod of this.pods.list()) if (pod.spec?.nodeName === name) this.queue.add(objectKey(pod));
  }

  /** Replaces the fake usage (annotations and defaults apply where fn returns undefined). */
  setUsage(fn: UsageFn | undefined): void {
    this.usage = fn;
  }

  collect(): UsageReport {
    const pods: PodUsage[] = [];
    const perNode = new Map<string, { cpu: number; mem: number }>();
    for (const pod of this.pods.list()) {
      const node = this.nodes.get(pod.spec?.nodeName ?? '');
      if (!node || node.silent || pod.status?.phase !== 'Running') continue;
      const containers = (pod.spec?.containers ?? []).map((c) => {
        const u = this.containerUsage(pod, c.resources?.requests);
        return { name: c.name, cpuNanoCores: u.cpuMilli * 1e6, memoryBytes: u.memoryBytes };
      });
      pods.push({ namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, containers });
      const sum = perNode.get(node.spec.name) ?? { cpu: 0, mem: 0 };
      for (const c of containers) {
        sum.cpu += c.cpuNanoCores;
        sum.mem += c.memoryBytes;
      }
      perNode.set(node.spec.name, sum);
    }
    const nodes = [...this.nodes.values()].filter((n) => !n.silent).map((n) => {
      const sum = perNode.get(n.spec.name) ?? { cpu: 0, mem: 0 };
      // the system's own share: 50m and 256 MiB, as a freshly booted small node shows
      return { name: n.spec.name, cpuNanoCores: sum.cpu + 50e6, memoryBytes: sum.mem + 256 * 2 ** 20 };
    });
    return { timestamp: this.clock.now(), windowSeconds: 15, nodes, pods };
  }

  private containerUsage(pod: Pod, requests: Record<string, unknown> | undefined): { cpuMilli: number; memoryBytes: number } {
    const custom = this.usage?.(pod);
    if (custom) return custom;
    const a = pod.metadata?.annotations ?? {};
    const q = (text: unknown, f: (x: ReturnType<typeof parseQuantity>) => number): number | undefined => {
      if (typeof text !== 'string' && typeof text !== 'number') return undefined;
      try {
        return f(parseQuantity(text));
      } catch {
        return undefined;
      }
    };
    return {
      // by default a tenth of what was requested, as an idle service uses
      cpuMilli: q(a[hollowAnnotations.cpuUsage], milliValue) ?? Math.max(1, Math.round((q(requests?.cpu, milliValue) ?? 10) / 10)),
      memoryBytes: q(a[hollowAnnotations.memoryUsage], value) ?? Math.round((q(requests?.memory, value) ?? 16 * 2 ** 20) / 2),
    };
  }

  private node(name: string): HollowNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no hollow node "${name}"`);
    return node;
  }

  /** Runs fn for every node, a few dozen at a time, so a big fleet does not flood the server. */
  private async forEachNode(fn: (n: HollowNode) => Promise<void>): Promise<void> {
    const all = [...this.nodes.values()];
    const batch = 32;
    for (let i = 0; i < all.length; i += batch) {
      await Promise.all(all.slice(i, i + batch).map((n) => fn(n).catch((err: Error) => this.log(`hollow: node ${n.spec.name}: ${err.message}`))));
    }
  }

  private async register(n: HollowNode): Promise<void> {
    const now = this.clock.now();
    const wanted = nodeObject(n.spec, n.index, now);
    try {
      const created = await this.opts.client.create<Node>(gvr.nodes, wanted);
      n.uid = created.metadata?.uid;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // A restart: keep the node's spec (podCIDR, taints set by others), report a fresh status.
      const existing = await this.opts.client.get<Node>(gvr.nodes, undefined, n.spec.name);
      n.uid = existing.metadata?.uid;
      await this.opts.client.updateStatus<Node>(gvr.nodes, { ...existing, status: wanted.status });
    }
    await this.renewLease(n);
  }

  private async renewLease(n: HollowNode): Promise<void> {
    if (n.silent) return;
    await n.lease.renew(this.clock.now(), n.uid);
  }

  private async reportStatus(n: HollowNode): Promise<void> {
    if (n.silent) return;
    const conditions = readyConditions(this.clock.now(), true);
    await this.opts.client.patch(gvr.nodes, undefined, n.spec.name, { status: { conditions } }, 'strategic', { subresource: 'status' });
  }

  private forget(key: string): void {
    const run = this.runs.get(key);
    if (!run) return;
    this.runs.delete(key);
    this.fallbackIPs.release(run.podIP);
    for (const n of this.nodes.values()) n.ips.release(run.podIP);
  }

  /** One pod's kubelet work: start it, make it ready, finish it, or complete its deletion. */
  private async syncPod(key: string): Promise<void | { requeueAfterMs: number }> {
    const pod = this.pods.get(key);
    const node = pod && this.nodes.get(pod.spec?.nodeName ?? '');
    if (!pod || !node || node.silent) return;
    const { client } = this.opts;
    if (pod.metadata?.deletionTimestamp) {
      // The containers "stop" at once; the kubelet's final delete ends the grace period.
      await client.delete(gvr.pods, pod.metadata.namespace, pod.metadata.name!, {
        gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid },
      }).catch((err: unknown) => { if (!isNotFound(err) && !isConflict(err)) throw err; });
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const now = this.clock.now();
    const run = this.runOf(key, pod, node, now);
    if (now < run.startedAt) return { requeueAfterMs: run.startedAt - now };
    const a = pod.metadata?.annotations ?? {};
    const readySeconds = Number(a[hollowAnnotations.readySeconds] ?? NaN);
    const readyAt = run.startedAt + (Number.isFinite(readySeconds) ? readySeconds * 1000 : this.opts.readyDelayMs ?? 0);
    const runSeconds = Number(a[hollowAnnotations.runSeconds] ?? NaN);
    const finishAt = Number.isFinite(runSeconds) ? run.startedAt + runSeconds * 1000 : undefined;
    if (finishAt !== undefined && now >= finishAt) {
      const exitCode = Number(a[hollowAnnotations.exitCode] ?? 0) || 0;
      const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
      if (restartPolicy === 'Never' || (restartPolicy === 'OnFailure' && exitCode === 0)) {
        run.finished = true;
        await client.updateStatus(gvr.pods, { ...pod, status: finishedStatus(pod, run, exitCode, now) });
        return;
      }
      // The kubelet restarts the container: a new run, one more restart.
      run.restarts++;
      run.startedAt = now;
      run.ready = false;
      return this.syncPod(key);
    }
    run.ready = now >= readyAt;
    run.readyAt = readyAt;
    if (!this.statusMatches(pod, run)) {
      await client.updateStatus(gvr.pods, { ...pod, status: runningStatus(pod, run) });
    }
    const nextAt = Math.min(run.ready ? Infinity : readyAt, finishAt ?? Infinity);
    return nextAt === Infinity ? undefined : { requeueAfterMs: nextAt - now };
  }

  private runOf(key: string, pod: Pod, node: HollowNode, now: number): PodRun {
    const known = this.runs.get(key);
    if (known && known.uid === pod.metadata?.uid) return known;
    if (known) this.forget(key);
    const status = pod.status;
    let run: PodRun;
    if (status?.phase === 'Running' && status.podIP && status.startTime) {
      // Already running before this fleet started: carry on from what the status says.
      run = {
        uid: pod.metadata!.uid!, finished: false, startedAt: Date.parse(status.startTime),
        ready: false, readyAt: 0, restarts: status.containerStatuses?.[0]?.restartCount ?? 0,
        hostIP: status.hostIP ?? '', podIP: status.podIP,
      };
      node.ips.keep(status.podIP);
    } else {
      const cidr = this.podCIDROf(node.spec.name);
      run = {
        uid: pod.metadata!.uid!, finished: false, startedAt: now + (this.opts.startDelayMs ?? 0),
        ready: false, readyAt: 0, restarts: 0, hostIP: hollowAddress(node.index), podIP: cidr ? node.ips.take(cidr) : this.fallbackIPs.take(undefined),
      };
    }
    this.runs.set(key, run);
    return run;
  }

  private statusMatches(pod: Pod, run: PodRun): boolean {
    const s = pod.status;
    if (s?.phase !== 'Running' || s.podIP !== run.podIP) return false;
    const ready = s.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return ready === run.ready && (s.containerStatuses?.[0]?.restartCount ?? 0) === run.restarts;
  }

  /** The node's podCIDR, once node IPAM has set it. */
  private podCIDROf(name: string): string | undefined {
    return this.nodeCache.get(name)?.spec?.podCIDR;
  }

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }
}
