// The kubelet's loop: the pods bound to this node (an informer on spec.nodeName), one PodWorker
// each, synced one at a time per pod whenever the pod or its containers change, and the status
// written back when it differs from what the API has. A deleted pod is stopped and removed from
// the node, then from the API (the kubelet's final delete with grace period 0).
import { existsSync, readdirSync } from 'node:fs';
import type { Node, Pod, PodStatus } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../client/api-error.ts';
import { EventRecorder, involved } from '../../client/event-recorder.ts';
import { Informer } from '../../client/informer.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { closeRelay } from '../network/netns-relay.ts';
import { netnsPathOf } from '../network/pod-network.ts';
import type { ContainerState, OciRuntime } from '../runtime/oci-runtime.ts';
import { DEFAULT_GRACE_SECONDS, PodWorker, type PodWorkerDeps } from './pod-worker.ts';
import { podStatus, recordsFromStatus, type ContainerRecord } from './pod-status.ts';
import { EVICTED_REASON, evictedStatus, markKilled } from './eviction/evicted-status.ts';
import type { EvictionManager } from './eviction/eviction-manager.ts';
import type { ImageGC } from '../images/image-gc.ts';
import type { StatsProvider } from '../stats/stats-provider.ts';
import type { ContainerLogs } from '../logs/container-logs.ts';
import { rfc3339 } from '../../util/rfc3339.ts';

export interface KubeletOptions extends Omit<PodWorkerDeps, 'resync' | 'event' | 'foundAtStart'> {
  client: KubeClient;
  nodeName: string;
  log?: (line: string) => void;
}

const RETRY_MS = 5_000;
/** The deleted pod's spec is gone with it: its containers get this long after SIGTERM. */
const ORPHAN_GRACE_MS = 2_000;

/** Container ids start with their pod's uid. */
const uidOf = (name: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(name)?.[0];

const isTerminal = (phase: string | undefined) => phase === 'Succeeded' || phase === 'Failed';

export class Kubelet {
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly workers = new Map<string, PodWorker>();
  /** Per pod uid: the sync running now, and whether another was asked for meanwhile. */
  private readonly syncing = new Map<string, { again: boolean }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The runtime's containers when the agent started, by pod uid. */
  private readonly foundAtStart = new Map<string, ContainerState[]>();
  /** Terminal pods found at start whose leftovers were removed. */
  private readonly released = new Set<string>();
  /** Pods being evicted, by uid: the message their status ends with. */
  private readonly evictions = new Map<string, { message: string; done: Promise<void>; resolve: () => void }>();
  private readonly stopHooks: (() => void)[] = [];
  /** Pods turned away under node pressure, by uid (never started, whatever comes later). */
  private readonly rejected = new Set<string>();
  private stopped = false;
  /** Set by startKubelet: the node's stats (for /stats/summary, /metrics/resource), eviction and image GC. */
  stats?: StatsProvider;
  eviction?: EvictionManager;
  imageGC?: ImageGC;

  constructor(private readonly opts: KubeletOptions) {
    this.recorder = new EventRecorder(opts.client, { component: 'kubelet', host: opts.nodeName });
    this.pods = new Informer<Pod>(opts.client, gvr.pods, { fieldSelector: `spec.nodeName=${opts.nodeName}` });
    const changed = (p: Pod, gone = false) => {
      // A pod being deleted does not wait behind a postStart hook that never returns.
      if (gone || p.metadata?.deletionTimestamp) this.workers.get(p.metadata!.uid!)?.abortHooks();
      this.enqueue(p);
    };
    this.pods.on('add', (p) => changed(p)).on('update', (_o, p) => changed(p)).on('delete', (p) => changed(p, true));
  }

  async start(): Promise<void> {
    // What runs from before this agent started: listed once, so that workers need not ask runc.
    for (const c of await this.opts.runtime.list()) {
      const uid = uidOf(c.id);
      if (uid) this.foundAtStart.set(uid, [...(this.foundAtStart.get(uid) ?? []), c]);
    }
    await this.pods.start();
    await this.removeOrphans().catch((e: unknown) => this.opts.log?.(`kubelet: removing orphaned pods: ${(e as Error).message}`));
  }

  stop(): void {
    this.stopped = true;
    this.pods.stop();
    for (const t of this.timers) clearTimeout(t);
    // The containers stay (a restarted agent adopts them); their probes end with this kubelet.
    for (const worker of this.workers.values()) worker.stopProbes();
    if (this.opts.nodeNetns) closeRelay(netnsPathOf(this.opts.nodeNetns));
    for (const hook of this.stopHooks.splice(0)) hook();
    // The containers keep running; their output waits in its FIFOs for the next agent.
    this.opts.logs.closeAll();
  }

  /** Parts that run beside the loop (stats housekeeping, eviction, image GC) stop with it. */
  onStop(hook: () => void): void {
    this.stopHooks.push(hook);
  }

  /** Every pod bound to this node, as the API has it (the images they name are in use). */
  podsOnNode(): Pod[] {
    return this.pods.list();
  }

  log(line: string): void {
    this.opts.log?.(line);
  }

  podEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event(involved(pod, 'Pod', gvr.pods), type, reason, message);
  }

  /** An event about the Node itself (image GC's), as upstream's nodeRef events. */
  nodeEvent(type: 'Normal' | 'Warning', reason: string, message: string): void {
    const name = this.opts.nodeName;
    this.recorder.event({ kind: 'Node', apiVersion: 'v1', metadata: { name, uid: name } }, type, reason, message);
  }

  /**
   * Evicts a pod (the eviction manager's killPodFunc): its containers are killed at once and it
   * ends Failed with reason Evicted and the message. Runs as the pod's sync, so never beside one.
   */
  evict(pod: Pod, message: string): Promise<void> {
    const uid = pod.metadata!.uid!;
    let entry = this.evictions.get(uid);
    if (!entry) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      entry = { message, done, resolve };
      this.evictions.set(uid, entry);
      this.enqueue(pod);
    }
    return entry.done;
  }

  /** The containers' logs and stdio (for the logs, attach and exec handlers). */
  get logs(): ContainerLogs {
    return this.opts.logs;
  }

  /** Test helper and shutdown: stops every pod on the node (containers, network, volumes). */
  async stopAllPods(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop(0)));
    this.workers.clear();
  }

  /** A pod this node runs, by name, with its worker (containers, sandbox): for logs, exec, stats. */
  runningPod(namespace: string, name: string): { pod: Pod; worker: PodWorker } | undefined {
    const pod = this.pods.get(`${namespace}/${name}`);
    const worker = pod && this.workers.get(pod.metadata!.uid!);
    return worker ? { pod, worker } : undefined;
  }

  /**
   * A pod's containers as the node knows them: its worker's records, or for a pod that finished
   * before this agent started, what its status says. For logs.
   */
  podContainers(namespace: string, name: string): { pod: Pod; containers: Map<string, ContainerRecord>; initContainers: Map<string, ContainerRecord> } | undefined {
    const running = this.runningPod(namespace, name);
    if (running) return { pod: running.pod, containers: running.worker.containers, initContainers: running.worker.initContainers };
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod || !isTerminal(pod.status?.phase)) return undefined;
    return { pod, containers: recordsFromStatus(pod.status?.containerStatuses), initContainers: recordsFromStatus(pod.status?.initContainerStatuses) };
  }

  /** Every pod with a worker on this node. */
  runningPods(): { pod: Pod; worker: PodWorker }[] {
    return [...this.workers.values()].flatMap((worker) => {
      const pod = this.pods.list().find((p) => p.metadata?.uid === worker.uid);
      return pod ? [{ pod, worker }] : [];
    });
  }

  /** The container runtime the pods run on (exec runs in their containers). */
  get runtime(): OciRuntime {
    return this.opts.runtime;
  }

  private key(pod: Pod): string {
    return `${pod.metadata?.namespace}/${pod.metadata?.name}/${pod.metadata?.uid}`;
  }

  private enqueue(pod: Pod, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.enqueue(pod);
      }, delayMs);
      this.timers.add(t);
      return;
    }
    const key = this.key(pod);
    const running = this.syncing.get(key);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.syncing.set(key, state);
    void (async () => {
      do {
        state.again = false;
        await this.syncPod(pod).catch((e) => {
          // A pod that could not be synced (no podCIDR yet, the API away) is tried again.
          this.opts.log?.(`kubelet: ${key}: ${(e as Error).message}`);
          this.enqueue(pod, RETRY_MS);
        });
      } while (state.again && !this.stopped);
      this.syncing.delete(key);
    })();
  }

  private async syncPod(seen: Pod): Promise<void> {
    const uid = seen.metadata!.uid!;
    const pod = this.pods.get(`${seen.metadata!.namespace}/${seen.metadata!.name}`);
    const current = pod?.metadata?.uid === uid ? pod : undefined;
    if (!current || current.metadata?.deletionTimestamp) {
      await this.killPod(current ?? seen, uid, current !== undefined);
      return;
    }
    const eviction = this.evictions.get(uid);
    if (eviction) {
      await this.finishEviction(current, uid, eviction.message);
      eviction.resolve();
      return;
    }
    if (this.rejected.has(uid)) return;
    if (isTerminal(current.status?.phase) && !this.workers.has(uid)) {
      // Finished before this agent started (or evicted): what is left of it goes, the status stays.
      if (!this.released.has(uid)) await new PodWorker(uid, this.workerDeps(current)).release();
      this.released.add(uid);
      return;
    }
    const rejection = this.workers.has(uid) ? undefined : this.eviction?.admit(current);
    if (rejection) {
      await this.reject(current, uid, rejection);
      return;
    }
    const worker = this.workerFor(current);
    await worker.sync(current);
    const phase = await this.writeStatus(current, worker);
    if (isTerminal(phase) && !worker.released) await worker.release();
  }

  /**
   * Pods this node still has (runc containers, pod folders) that the API no longer does: deleted
   * while the agent was away. They are stopped and removed, as the kubelet's housekeeping does.
   */
  private async removeOrphans(): Promise<void> {
    const known = new Set(this.pods.list().map((p) => p.metadata?.uid));
    const folders = existsSync(this.opts.podsDir) ? readdirSync(this.opts.podsDir) : [];
    const orphans = new Set([...this.foundAtStart.keys(), ...folders.map(uidOf)].filter((u): u is string => u !== undefined && !known.has(u)));
    for (const uid of orphans) {
      this.opts.log?.(`kubelet: removing orphaned pod ${uid}`);
      await new PodWorker(uid, this.workerDeps(undefined, uid)).stop(ORPHAN_GRACE_MS);
    }
  }

  private workerFor(pod: Pod): PodWorker {
    const uid = pod.metadata!.uid!;
    let worker = this.workers.get(uid);
    if (!worker) {
      worker = new PodWorker(uid, this.workerDeps(pod));
      this.workers.set(uid, worker);
    }
    return worker;
  }

  private workerDeps(pod: Pod | undefined, uid = pod?.metadata?.uid ?? ''): PodWorkerDeps {
    return {
      ...this.opts,
      foundAtStart: this.foundAtStart.get(uid) ?? [],
      resync: (delayMs) => pod && this.enqueue(pod, delayMs),
      event: (p, type, reason, message) => this.podEvent(p, type, reason, message),
    };
  }

  /** A pod the node will not start (rejectPod): an event, and Failed with the reason. */
  private async reject(pod: Pod, uid: string, message: string): Promise<void> {
    this.rejected.add(uid);
    this.podEvent(pod, 'Warning', EVICTED_REASON, message);
    const status = { phase: 'Failed', reason: EVICTED_REASON, message: `Pod was rejected: ${message}` };
    await this.opts.client.patch(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, { status }, 'merge', { subresource: 'status' });
  }

  private async finishEviction(pod: Pod, uid: string, message: string): Promise<void> {
    const worker = this.workers.get(uid);
    if (!worker) return;
    // Its containers and sandbox go; its logs stay until the pod is deleted.
    await worker.release();
    this.workers.delete(uid);
    this.released.add(uid);
    const now = rfc3339(this.opts.now());
    markKilled([...worker.containers.values(), ...worker.initContainers.values()], now, this.opts.runtime.name);
    await this.writeStatus(pod, worker, (status) => evictedStatus(status, message, now));
  }

  private async killPod(pod: Pod, uid: string, inAPI: boolean): Promise<void> {
    this.evictions.delete(uid);
    this.rejected.delete(uid);
    const worker = this.workers.get(uid);
    const grace = (pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    if (worker) {
      await worker.stop(grace);
      this.workers.delete(uid);
    } else {
      // A pod that had finished before this agent started kept only its logs.
      this.opts.logs.removePod(uid);
    }
    if (!inAPI) return;
    try {
      await this.opts.client.delete(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Writes the status when it changed (after `override`, for an eviction's); returns the phase. */
  private async writeStatus(pod: Pod, worker: PodWorker, override = (s: PodStatus) => s): Promise<PodStatus['phase']> {
    const status: PodStatus = override(podStatus({
      pod, containers: [...worker.containers.values()], initContainers: [...worker.initContainers.values()], podIP: worker.sandbox?.ip, hostIP: this.opts.hostIP,
      startTime: worker.startTime!, sandboxReady: worker.sandbox !== undefined, now: rfc3339(this.opts.now()), runtime: this.opts.runtime.name,
    }));
    if (!sameStatus(pod.status, status)) {
      // A merge patch replaces the lists whole: the kubelet owns the pod's status.
      await this.opts.client.patch(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, { status }, 'merge', { subresource: 'status' });
    }
    return status.phase;
  }

  /** The Node, for its podCIDR (set by the control plane after registration). */
  static async podCIDR(client: KubeClient, nodeName: string): Promise<string> {
    const node = await client.get<Node>(gvr.nodes, undefined, nodeName);
    const cidr = node.spec?.podCIDR;
    if (!cidr) throw new Error(`node ${nodeName} has no spec.podCIDR yet`);
    return cidr;
  }
}

/** Equal but for condition transition times the API already has. */
function sameStatus(a: PodStatus | undefined, b: PodStatus): boolean {
  const norm = (s: PodStatus | undefined) => JSON.stringify({ ...s, conditions: s?.conditions?.map(({ lastTransitionTime: _t, ...c }) => c) });
  return norm(a) === norm(b);
}
