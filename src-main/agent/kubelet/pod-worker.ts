// Everything the node does for one pod (the kubelet's SyncPod and KillPod): its sandbox network,
// volumes and /etc files, then each container — image, overlay root, OCI spec, runc — restarted
// by the pod's restartPolicy with CrashLoopBackOff's delays, with their hooks and probes
// (prober/); and on deletion, the containers stopped (preStop, SIGTERM, SIGKILL after the grace
// period) and every trace removed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1';
import type { ImageStore } from '../images/image-store.ts';
import { closeRelay } from '../network/netns-relay.ts';
import { hostPortMappings, netnsPathOf, type PodNetwork, type PodSandboxNetwork } from '../network/pod-network.ts';
import { containerCgroup, removePodCgroup, wasOomKilled, type CgroupLayout } from '../runtime/cgroups.ts';
import { buildSpec } from '../runtime/oci-spec.ts';
import { hostDevices } from '../runtime/host-devices.ts';
import { readLocalhostProfile } from '../runtime/seccomp-localhost.ts';
import { effectiveSeccompProfile } from '../runtime/spec-seccomp.ts';
import type { ImageProcessConfig } from '../runtime/spec-process.ts';
import type { ContainerState, OciRuntime } from '../runtime/oci-runtime.ts';
import { mountRootfs, removeRootfs } from '../runtime/rootfs.ts';
import { readUserDb } from '../runtime/user-db.ts';
import type { PodVolumes, VolumeSources } from '../volumes/pod-volumes.ts';
import { resolveEnv } from './env.ts';
import { ContainerBackoff } from './container-backoff.ts';
import { ensureContainerImage, type ImagePullerDeps } from './image-puller.ts';
import { etcHosts, podHostname, resolvConf, type DNSSettings } from './pod-files.ts';
import { containerID, type ContainerRecord } from './pod-status.ts';
import { podRef, type ContainerLogs } from '../logs/container-logs.ts';
import { ContainerHooks } from './prober/lifecycle-hooks.ts';
import { PodProbes } from './prober/pod-probes.ts';
import { rfc3339 } from '../../util/rfc3339.ts';

export interface PodWorkerDeps {
  runtime: OciRuntime;
  images: ImageStore;
  registryConfig?: ImagePullerDeps['registryConfig'];
  progressEveryMs?: number;
  network: () => Promise<PodNetwork>;
  /** The node's InternalIP: a hostNetwork pod's IP. */
  hostIP?: string;
  /** The node's network namespace when it is not the agent's (a test host's, --cni-netns). */
  nodeNetns?: string;
  volumes: PodVolumes;
  sources: VolumeSources;
  cgroups: CgroupLayout;
  hostCapabilities: string[];
  /** Where Localhost seccomp profiles are (<state-dir>/seccomp, the kubelet's --seccomp root). */
  seccompRoot: string;
  dns: DNSSettings;
  /** Where containers' bundles live. */
  containersDir: string;
  /** The containers' CRI logs and stdio (FIFOs read by the agent). */
  logs: ContainerLogs;
  /** Pod folders (volumes, /etc files); PodVolumes uses the same. */
  podsDir: string;
  now: () => number;
  /** The pod changed on the node (a container exited, a backoff ended): sync it again. */
  resync: (delayMs?: number) => void;
  /** The pod's containers in the runtime when the agent started (an earlier agent's). */
  foundAtStart: ContainerState[];
  /** Records an event about the pod, as the kubelet's recorder does (reason and message as upstream). */
  event: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;
}

type Mounts = Awaited<ReturnType<PodVolumes['setUp']>>;

const OUTPUT_DRAIN_MS = 2_000;
/** terminationGracePeriodSeconds when the pod has none (the API's default). */
export const DEFAULT_GRACE_SECONDS = 30;

export class PodWorker {
  readonly initContainers = new Map<string, ContainerRecord>();
  readonly containers = new Map<string, ContainerRecord>();
  sandbox?: PodSandboxNetwork;
  startTime?: string;
  private readonly exits = new Map<string, Promise<number>>();
  /** Containers this worker removed (so the start-time list is not acted on again). */
  private readonly removed = new Set<string>();
  private readonly backoff: ContainerBackoff;
  private stopping?: Promise<void>;
  private tornDown?: Promise<void>;
  /** Set once a terminal pod gave its resources back: nothing more is done for it but deletion. */
  released = false;
  private adopting?: Promise<void>;
  /** The pod as last synced, for the events of exits and stops. */
  private pod?: Pod;
  /** When a sync is already asked for to renew the pod's service-account tokens. */
  private tokenRefreshAt?: number;

  private readonly hooks: ContainerHooks;
  private readonly probes: PodProbes;

  constructor(readonly uid: string, private readonly deps: PodWorkerDeps) {
    this.backoff = new ContainerBackoff(deps.now);
    // Probes and hooks reach pod IPs from the node's network namespace (the test host's under --cni-netns).
    const host = { runtime: deps.runtime, netnsPath: deps.nodeNetns ? netnsPathOf(deps.nodeNetns) : undefined, podIP: () => this.sandbox?.ip };
    this.hooks = new ContainerHooks({ ...host, event: deps.event });
    this.probes = new PodProbes({
      ...host, event: (type, reason, message) => this.pod && deps.event(this.pod, type, reason, message),
      changed: () => deps.resync(), unhealthy: (container, kind, probe) => this.killUnhealthy(container, kind, probe),
    });
  }

  /** Brings the node in line with the pod; returns when there is nothing more to do now. */
  async sync(pod: Pod): Promise<void> {
    this.pod = pod;
    if (this.released) return;
    this.startTime ??= pod.status?.startTime ?? rfc3339(this.deps.now());
    for (const c of pod.spec?.initContainers ?? []) if (!this.initContainers.has(c.name)) this.initContainers.set(c.name, { name: c.name, image: c.image ?? '', restartCount: 0 });
    for (const c of pod.spec?.containers ?? []) if (!this.containers.has(c.name)) this.containers.set(c.name, { name: c.name, image: c.image ?? '', restartCount: 0 });
    this.adopting ??= this.adopt();
    await this.adopting;
    // A hostNetwork pod shares the node's network (in tests, the test host's namespace): no CNI.
    this.sandbox ??= pod.spec?.hostNetwork ? this.hostSandbox() : await (await this.deps.network()).setUp(this.uid, hostPortMappings(pod));
    const mounts = await this.deps.volumes.setUp(pod, this.deps.sources);
    this.scheduleTokenRefresh();
    const podDir = join(this.deps.podsDir, this.uid);
    mkdirSync(podDir, { recursive: true });
    writeFileSync(join(podDir, 'etc-hosts'), etcHosts(pod, [this.sandbox.ip], this.deps.dns.clusterDomain));
    writeFileSync(join(podDir, 'resolv.conf'), resolvConf(pod, this.deps.dns));
    writeFileSync(join(podDir, 'hostname'), `${podHostname(pod)}\n`);
    if (!(await this.runInitContainers(pod, mounts))) return;
    for (const container of pod.spec?.containers ?? []) {
      const record = this.containers.get(container.name)!;
      if (this.needsStart(pod, record, pod.spec?.restartPolicy ?? 'Always')) await this.tryStart(pod, container, record, mounts);
    }
  }

  /** A sync when the pod's tokens are due (80 % of their lifetime), asked for once per due time. */
  private scheduleTokenRefresh(): void {
    const due = this.deps.sources.tokenRefreshDue?.(this.uid);
    if (due === undefined || due === this.tokenRefreshAt) return;
    this.tokenRefreshAt = due;
    this.deps.resync(Math.max(1, due - this.deps.now()));
  }

  /**
   * Init containers run one at a time, in order, each to success before the next; they restart
   * on failure unless the pod's restartPolicy is Never. True once all have succeeded.
   */
  private async runInitContainers(pod: Pod, mounts: Mounts): Promise<boolean> {
    const policy = pod.spec?.restartPolicy === 'Never' ? 'Never' : 'OnFailure';
    for (const container of pod.spec?.initContainers ?? []) {
      const record = this.initContainers.get(container.name)!;
      if (record.terminated?.exitCode === 0) continue;
      if (this.needsStart(pod, record, policy)) await this.tryStart(pod, container, record, mounts);
      return false;
    }
    return true;
  }

  private async tryStart(pod: Pod, container: Container, record: ContainerRecord, mounts: Mounts): Promise<void> {
    try {
      await this.startContainer(pod, container, record, mounts);
    } catch (e) {
      // A container that cannot start waits with the reason; the pod is tried again after the
      // container's backoff.
      const err = e as Error & { reason?: string };
      const reason = err.reason ?? 'CreateContainerError';
      record.waiting = { reason, message: err.message };
      this.deps.event(pod, 'Warning', 'Failed', `Error: ${reason}`);
      this.deps.resync(this.backoff.fail(record.name, 'start'));
      // The status shows ErrImagePull once, then ImagePullBackOff for the rest of the wait.
      if (reason === 'ErrImagePull') this.deps.resync(1000);
    }
  }

  /** While a failed pull backs off, the container waits as ImagePullBackOff (upstream's wording). */
  private pullBackingOff(pod: Pod, c: ContainerRecord): void {
    if (c.waiting?.reason !== 'ErrImagePull' && c.waiting?.reason !== 'ImagePullBackOff') return;
    if (c.waiting.reason === 'ErrImagePull') {
      this.deps.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
      this.deps.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
    }
    const cause = c.waiting.reason === 'ErrImagePull' ? `: ErrImagePull: ${c.waiting.message ?? ''}` : c.waiting.message?.replace(/^Back-off pulling image "[^"]*"/, '') ?? '';
    c.waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"${cause}` };
  }

  /**
   * After an agent restart, the pod's containers may still run (the shim outlives the agent):
   * each takes its newest container back — same id, same process, restart count from its id —
   * instead of starting another. Its exit is then read from the status the shim writes.
   */
  private async adopt(): Promise<void> {
    const existing = this.deps.foundAtStart;
    for (const record of this.allRecords()) {
      const prefix = `${this.uid}-${record.name}-`;
      const runs = existing.filter((c) => c.id.startsWith(prefix) && /^\d+$/.test(c.id.slice(prefix.length)));
      const newest = runs.sort((a, b) => Number(b.id.slice(prefix.length)) - Number(a.id.slice(prefix.length)))[0];
      if (!newest) continue;
      const stored = await this.deps.images.get(record.image);
      Object.assign(record, {
        id: newest.id, restartCount: Number(newest.id.slice(prefix.length)), startedAt: newest.created ? rfc3339(Date.parse(newest.created)) : rfc3339(this.deps.now()),
        imageID: stored?.names.find((n) => n.includes('@')) ?? stored?.repoDigest,
      });
      const bundle = join(this.deps.containersDir, newest.id);
      const io = this.deps.logs.reattach({ pod: podRef(this.pod!), container: record.name, restartCount: record.restartCount, id: newest.id, bundle, stdin: this.specOf(record.name)?.stdin === true });
      const exited = this.deps.runtime.waitExit(newest.id, bundle).then(async (code) => (await io?.drained(OUTPUT_DRAIN_MS), code));
      this.exits.set(newest.id, exited);
      void exited.then((code) => this.onExit(record, newest.id, code));
      const spec = this.pod?.spec?.containers?.find((c) => c.name === record.name);
      if (spec) this.probes.start(spec, record, Date.parse(record.startedAt!));
    }
  }

  /** Whether the container should (re)start now, as the restart policy and the backoff say. */
  private needsStart(pod: Pod, c: ContainerRecord, policy: string): boolean {
    if (c.id && !c.terminated) return false;
    // A container that failed to start is tried again after the backoff, not at every sync.
    if (!c.terminated) {
      if (this.backoff.remaining(c.name) === 0) return true;
      this.pullBackingOff(pod, c);
      return false;
    }
    if (policy === 'Never' || (policy === 'OnFailure' && c.terminated.exitCode === 0)) return false;
    const wait = this.backoff.remaining(c.name);
    if (wait > 0) {
      if (c.waiting?.reason !== 'CrashLoopBackOff') this.deps.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${this.uid})`);
      c.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(wait / 1000)}s restarting failed container=${c.name} pod=${pod.metadata?.name}_${pod.metadata?.namespace}(${this.uid})` };
      this.deps.resync(wait);
      return false;
    }
    return true;
  }

  private async startContainer(pod: Pod, container: Container, record: ContainerRecord, mounts: Mounts): Promise<void> {
    const { deps } = this;
    const image = container.image ?? '';
    record.waiting = { reason: 'ContainerCreating' };
    await ensureContainerImage(pod, container, { ...deps, secret: deps.sources.secret });
    const stored = (await deps.images.get(image))!;
    if (record.id) await this.removeContainer(record.id);
    const id = `${this.uid}-${container.name}-${record.restartCount + (record.terminated ? 1 : 0)}`;
    const dir = join(deps.containersDir, id);
    const { rootfs } = await mountRootfs(dir, (await deps.images.layerDirs(image))!);
    let exited: Promise<number>;
    try {
      ({ exited } = await this.runContainer(pod, container, id, dir, rootfs, stored.config, mounts));
    } catch (e) {
      // Nothing of a container that did not start is kept: no runtime state, no mount.
      await deps.runtime.delete(id, true).catch(() => undefined);
      await removeRootfs(dir);
      throw Object.assign(e as Error, { reason: (e as { reason?: string }).reason ?? 'RunContainerError' });
    }
    deps.event(pod, 'Normal', 'Started', `Started container ${container.name}`);
    if (record.terminated) {
      record.lastTerminated = record.terminated;
      record.restartCount++;
    }
    Object.assign(record, { id, imageID: stored.names.find((n) => n.includes('@')) ?? stored.repoDigest, startedAt: rfc3339(deps.now()), terminated: undefined, waiting: undefined });
    this.exits.set(id, exited);
    void exited.then((code) => this.onExit(record, id, code));
    await this.afterStart(pod, container, record);
  }

  /** postStart, then the probes; a failed hook has the container killed (PostStartHookError). */
  private async afterStart(pod: Pod, container: Container, record: ContainerRecord): Promise<void> {
    const failed = await this.hooks.postStart(pod, container, record.id!);
    if (failed === undefined) return this.probes.start(container, record, this.deps.now());
    await this.stopContainer(record.id!, container.name, (pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000, 'FailedPostStartHook');
    // One that will be restarted waits as PostStartHookError; one that will not stays terminated.
    if (pod.spec?.restartPolicy !== 'Never') throw Object.assign(new Error(failed), { reason: 'PostStartHookError' });
  }

  /** A failed liveness or startup probe: the container is stopped, and restarted as its policy says. */
  private killUnhealthy(container: Container, kind: 'liveness' | 'startup', probe: Probe): void {
    const record = this.containers.get(container.name);
    if (!this.pod || !record?.id || record.terminated) return;
    this.probes.stop(container.name);
    const restart = this.pod.spec?.restartPolicy !== 'Never';
    const grace = (probe.terminationGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    void this.stopContainer(record.id, container.name, grace, `Container ${container.name} failed ${kind} probe${restart ? ', will be restarted' : ''}`);
  }

  /** The OCI bundle of one container (spec from the pod, image and env), run by the runtime. */
  private async runContainer(pod: Pod, container: Container, id: string, dir: string, rootfs: string, image: ImageProcessConfig, mounts: Mounts): Promise<{ exited: Promise<number> }> {
    const { deps } = this;
    const env = await resolveEnv(pod, container, deps.sources);
    const byName = new Map(mounts.map((m) => [m.name, m]));
    const podDir = join(deps.podsDir, this.uid);
    const privileged = container.securityContext?.privileged === true;
    const seccomp = effectiveSeccompProfile(container.securityContext, pod.spec?.securityContext);
    const spec = buildSpec({
      pod, container, image, env: env.env, userDb: await readUserDb(rootfs), rootfs,
      hostname: podHostname(pod), namespacePaths: { network: this.sandbox!.netnsPath || undefined },
      etcFiles: { hosts: join(podDir, 'etc-hosts'), resolvConf: join(podDir, 'resolv.conf'), hostname: join(podDir, 'hostname') },
      volumes: (container.volumeMounts ?? []).flatMap((m) => {
        const v = byName.get(m.name);
        return v ? [{ source: v.hostPath, destination: m.mountPath, readOnly: m.readOnly ?? v.readOnly }] : [];
      }),
      cgroupsPath: containerCgroup(deps.cgroups, this.uid, id), hostCapabilities: deps.hostCapabilities,
      resourceOptions: { missingControllers: deps.cgroups.missingControllers },
      localhostSeccompProfile: seccomp.type === 'Localhost' && !privileged ? await readLocalhostProfile(deps.seccompRoot, seccomp.localhostProfile) : undefined,
      hostDevices: privileged ? await hostDevices() : undefined,
    });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
    const restartCount = Number(id.slice(id.lastIndexOf('-') + 1));
    const { io, fifos, started } = await deps.logs.prepare({ pod: podRef(pod), container: container.name, restartCount, id, bundle: dir, stdin: container.stdin === true });
    deps.event(pod, 'Normal', 'Created', `Created container: ${container.name}`);
    try {
      const { exited } = await deps.runtime.run(id, dir, { fifos: { ...fifos, tty: container.tty === true && container.stdin === true } });
      // The exit is reported once the last output is in the log, for a `kubectl logs` right after.
      return { exited: exited.then(async (code) => (await io.drained(OUTPUT_DRAIN_MS), code)) };
    } catch (e) {
      deps.logs.release(id);
      throw e;
    } finally {
      started();
    }
  }

  private specOf(name: string): Container | undefined {
    return [...(this.pod?.spec?.initContainers ?? []), ...(this.pod?.spec?.containers ?? [])].find((c) => c.name === name);
  }

  private async onExit(record: ContainerRecord, id: string, exitCode: number): Promise<void> {
    if (record.id !== id) return;
    this.probes.stop(record.name);
    const oom = await wasOomKilled(this.deps.cgroups, containerCgroup(this.deps.cgroups, this.uid, id)).catch(() => false);
    const finishedAt = rfc3339(this.deps.now());
    record.terminated = { exitCode, reason: oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error', startedAt: record.startedAt ?? finishedAt, finishedAt, containerID: containerID(this.deps.runtime.name, id) };
    // CrashLoopBackOff's wait starts at the exit.
    this.backoff.fail(record.name);
    this.deps.resync();
  }

  private allRecords(): ContainerRecord[] {
    return [...this.initContainers.values(), ...this.containers.values()];
  }

  private async removeContainer(id: string): Promise<void> {
    this.deps.logs.release(id);
    await this.deps.runtime.delete(id, true).catch(() => undefined);
    await removeRootfs(join(this.deps.containersDir, id));
    this.exits.delete(id);
    this.removed.add(id);
    this.hooks.forget(id);
  }

  /** The pod is being deleted: a postStart hook still running ends, so that the stop can begin. */
  abortHooks(): void {
    this.hooks.abortPostStarts();
  }

  /** The kubelet stops: no more probes (the containers run on). */
  stopProbes(): void {
    this.probes.stopAll();
  }

  /** Stops every container (SIGTERM, then SIGKILL after graceMs) and removes the pod from the node. */
  stop(graceMs: number): Promise<void> {
    // The kubelet keeps a pod's logs until the pod is gone.
    this.stopping ??= this.tearDown(graceMs).then(() => this.deps.logs.removePod(this.uid)).catch((e: unknown) => {
      this.stopping = undefined;
      throw e;
    });
    return this.stopping;
  }

  /** Everything but the logs; a tear-down that failed part-way is done again (every step is idempotent). */
  private tearDown(graceMs: number): Promise<void> {
    this.tornDown ??= this.stopAll(graceMs).catch((e: unknown) => {
      this.tornDown = undefined;
      throw e;
    });
    return this.tornDown;
  }

  /** The node's own network as a pod's: its address, and its namespace when not the agent's. */
  private hostSandbox(): PodSandboxNetwork {
    const netnsPath = this.deps.nodeNetns ? netnsPathOf(this.deps.nodeNetns) : '';
    return { netnsName: this.deps.nodeNetns ?? '', netnsPath, ip: this.deps.hostIP ?? '' };
  }

  /**
   * A terminal pod (Succeeded or Failed) keeps its status but gives back what it held: runc
   * state, mounts, cgroup, IP and namespace, as the kubelet tears down a finished pod's sandbox.
   */
  async release(): Promise<void> {
    await this.tearDown(0);
    this.released = true;
  }

  private async stopAll(graceMs: number): Promise<void> {
    this.probes.stopAll();
    // What the records do not know: containers of an orphaned pod (deleted while the agent was
    // away), or ones an agent before its restart started.
    const listed = this.deps.foundAtStart.filter((c) => !this.removed.has(c.id));
    const running = new Map(this.allRecords().filter((c) => c.id && !c.terminated).map((c) => [c.id!, c.name]));
    for (const c of listed) if (c.status === 'running' && !running.has(c.id)) running.set(c.id, c.id.slice(this.uid.length + 1).replace(/-\d+$/, ''));
    await Promise.all([...running].map(([id, name]) => this.stopContainer(id, name, graceMs)));
    // Every step runs even when one before it failed; the first error is reported at the end.
    const errors: unknown[] = [];
    const step = (p: Promise<unknown>) => p.catch((e: unknown) => void errors.push(e));
    const ids = new Set([...this.allRecords().flatMap((c) => (c.id ? [c.id] : [])), ...listed.map((c) => c.id)]);
    for (const id of ids) await step(this.removeContainer(id));
    await step(removePodCgroup(this.deps.cgroups, this.uid));
    // An orphan (no pod seen) may have a namespace from before the agent's restart.
    // A relay into the pod's namespace (port-forward's) would hold the namespace open.
    if (this.sandbox && !this.pod?.spec?.hostNetwork) closeRelay(this.sandbox.netnsPath);
    if ((this.sandbox && !this.pod?.spec?.hostNetwork) || !this.pod) await step(this.deps.network().then((n) => n.tearDown(this.uid)));
    await step(this.deps.volumes.tearDown(this.uid));
    if (errors.length > 0) throw errors[0];
  }

  /** preStop, SIGTERM, then SIGKILL at the deadline: a pid 1 without a TERM handler ignores SIGTERM. */
  private async stopContainer(id: string, name: string, graceMs: number, message = `Stopping container ${name}`): Promise<void> {
    if (this.pod) this.deps.event(this.pod, 'Normal', 'Killing', message);
    const spec = this.pod?.spec?.containers?.find((c) => c.name === name);
    if (this.pod && spec) graceMs = await this.hooks.preStop(this.pod, spec, id, graceMs);
    await this.deps.runtime.kill(id, 'TERM').catch(() => undefined);
    const exited = this.exits.get(id) ?? this.deps.runtime.waitExit(id, join(this.deps.containersDir, id), 100);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    if ((await Promise.race([exited, timedOut])) === 'timeout') await this.deps.runtime.kill(id, 'KILL').catch(() => undefined);
    clearTimeout(timer);
    await exited.catch(() => undefined);
  }
}
