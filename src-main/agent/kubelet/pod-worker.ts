// Everything the node does for one pod (the kubelet's SyncPod and KillPod): its sandbox network,
// volumes and /etc files, then each container — image, overlay root, OCI spec, runc — restarted
// by the pod's restartPolicy with CrashLoopBackOff's delays; and on deletion, the containers
// stopped (SIGTERM, SIGKILL after the grace period) and every trace removed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import type { ImageStore } from '../images/image-store.ts';
import { defaultPullPolicy, shouldPull } from '../images/pull-policy.ts';
import type { PodNetwork, PodSandboxNetwork } from '../network/pod-network.ts';
import { containerCgroup, removePodCgroup, wasOomKilled, type CgroupLayout } from '../runtime/cgroups.ts';
import { buildSpec } from '../runtime/oci-spec.ts';
import type { ImageProcessConfig } from '../runtime/spec-process.ts';
import type { OciRuntime } from '../runtime/oci-runtime.ts';
import { mountRootfs, removeRootfs } from '../runtime/rootfs.ts';
import { readUserDb } from '../runtime/user-db.ts';
import type { PodVolumes, VolumeSources } from '../volumes/pod-volumes.ts';
import { resolveEnv } from './env.ts';
import { etcHosts, podHostname, resolvConf, type DNSSettings } from './pod-files.ts';
import type { ContainerRecord } from './pod-status.ts';
import { podRef, type ContainerLogs } from '../logs/container-logs.ts';
import { rfc3339 } from '../../util/rfc3339.ts';

export interface PodWorkerDeps {
  runtime: OciRuntime;
  images: ImageStore;
  network: () => Promise<PodNetwork>;
  volumes: PodVolumes;
  sources: VolumeSources;
  cgroups: CgroupLayout;
  hostCapabilities: string[];
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
  /** Records an event about the pod, as the kubelet's recorder does (reason and message as upstream). */
  event: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;
}

type Mounts = Awaited<ReturnType<PodVolumes['setUp']>>;

const BACKOFF_START_MS = 10_000;
const OUTPUT_DRAIN_MS = 2_000;
const BACKOFF_MAX_MS = 300_000;

export class PodWorker {
  readonly initContainers = new Map<string, ContainerRecord>();
  readonly containers = new Map<string, ContainerRecord>();
  sandbox?: PodSandboxNetwork;
  startTime?: string;
  private readonly exits = new Map<string, Promise<number>>();
  private readonly backoffUntil = new Map<string, number>();
  private stopping?: Promise<void>;
  private adopting?: Promise<void>;
  /** The pod as last synced, for the events of exits and stops. */
  private pod?: Pod;

  constructor(readonly uid: string, private readonly deps: PodWorkerDeps) {}

  /** Brings the node in line with the pod; returns when there is nothing more to do now. */
  async sync(pod: Pod): Promise<void> {
    this.pod = pod;
    this.startTime ??= pod.status?.startTime ?? rfc3339(this.deps.now());
    for (const c of pod.spec?.initContainers ?? []) if (!this.initContainers.has(c.name)) this.initContainers.set(c.name, { name: c.name, image: c.image ?? '', restartCount: 0 });
    for (const c of pod.spec?.containers ?? []) if (!this.containers.has(c.name)) this.containers.set(c.name, { name: c.name, image: c.image ?? '', restartCount: 0 });
    this.adopting ??= this.adopt();
    await this.adopting;
    if (!this.sandbox) {
      this.sandbox = await (await this.deps.network()).setUp(this.uid);
    }
    const mounts = await this.deps.volumes.setUp(pod, this.deps.sources);
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
      // A container that cannot start waits with the reason; the pod is tried again later.
      const err = e as Error & { reason?: string };
      const reason = err.reason ?? 'CreateContainerError';
      record.waiting = { reason, message: err.message };
      this.deps.event(pod, 'Warning', 'Failed', `Error: ${reason}`);
      this.backoffUntil.set(record.name, this.deps.now() + BACKOFF_START_MS);
      this.deps.resync(BACKOFF_START_MS);
    }
  }

  /**
   * After an agent restart, the pod's containers may still run (the shim outlives the agent):
   * each takes its newest container back — same id, same process, restart count from its id —
   * instead of starting another. Its exit is then read from the status the shim writes.
   */
  private async adopt(): Promise<void> {
    const existing = await this.deps.runtime.list().catch(() => []);
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
    }
  }

  /** Whether the container should (re)start now, as the restart policy and the backoff say. */
  private needsStart(pod: Pod, c: ContainerRecord, policy: string): boolean {
    if (c.id && !c.terminated) return false;
    // A container that failed to start is tried again after the backoff, not at every sync.
    if (!c.terminated) return this.deps.now() >= (this.backoffUntil.get(c.name) ?? 0);
    if (policy === 'Never' || (policy === 'OnFailure' && c.terminated.exitCode === 0)) return false;
    const until = this.backoffUntil.get(c.name) ?? 0;
    if (this.deps.now() < until) {
      if (c.waiting?.reason !== 'CrashLoopBackOff') this.deps.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${this.uid})`);
      c.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${Math.round((until - this.deps.now()) / 1000)}s restarting failed container=${c.name} pod=${pod.metadata?.name}_${pod.metadata?.namespace}(${this.uid})` };
      this.deps.resync(until - this.deps.now());
      return false;
    }
    return true;
  }

  private async startContainer(pod: Pod, container: Container, record: ContainerRecord, mounts: Mounts): Promise<void> {
    const { deps } = this;
    const image = container.image ?? '';
    const policy = (container.imagePullPolicy as 'Always' | 'IfNotPresent' | 'Never' | undefined) ?? defaultPullPolicy(image);
    // ImageError carries the kubelet's reason (ErrImagePull, ErrImageNeverPull, InvalidImageName).
    if (shouldPull(policy, await deps.images.has(image), image)) {
      record.waiting = { reason: 'ContainerCreating' };
      deps.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
      const t0 = Date.now();
      try {
        const { image: pulled } = await deps.images.pull(image);
        const took = `${((Date.now() - t0) / 1000).toFixed(3)}s`;
        deps.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${pulled.size} bytes.`);
      } catch (e) {
        deps.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${(e as Error).message}`);
        throw e;
      }
    } else {
      deps.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    }
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
  }

  /** The OCI bundle of one container (spec from the pod, image and env), run by the runtime. */
  private async runContainer(pod: Pod, container: Container, id: string, dir: string, rootfs: string, image: ImageProcessConfig, mounts: Mounts): Promise<{ exited: Promise<number> }> {
    const { deps } = this;
    const env = await resolveEnv(pod, container, deps.sources);
    const byName = new Map(mounts.map((m) => [m.name, m]));
    const podDir = join(deps.podsDir, this.uid);
    const spec = buildSpec({
      pod, container, image, env: env.env, userDb: await readUserDb(rootfs), rootfs,
      hostname: podHostname(pod), namespacePaths: { network: this.sandbox!.netnsPath },
      etcFiles: { hosts: join(podDir, 'etc-hosts'), resolvConf: join(podDir, 'resolv.conf'), hostname: join(podDir, 'hostname') },
      volumes: (container.volumeMounts ?? []).flatMap((m) => {
        const v = byName.get(m.name);
        return v ? [{ source: v.hostPath, destination: m.mountPath, readOnly: m.readOnly ?? v.readOnly }] : [];
      }),
      cgroupsPath: containerCgroup(deps.cgroups, this.uid, id), hostCapabilities: deps.hostCapabilities,
    });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
    const restartCount = Number(id.slice(id.lastIndexOf('-') + 1));
    const { io, fifos, started } = await deps.logs.prepare({ pod: podRef(pod), container: container.name, restartCount, id, bundle: dir, stdin: container.stdin === true });
    deps.event(pod, 'Normal', 'Created', `Created container: ${container.name}`);
    try {
      const { exited } = await deps.runtime.run(id, dir, { fifos });
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
    const oom = await wasOomKilled(this.deps.cgroups, containerCgroup(this.deps.cgroups, this.uid, id)).catch(() => false);
    const finishedAt = rfc3339(this.deps.now());
    record.terminated = { exitCode, reason: oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error', startedAt: record.startedAt ?? finishedAt, finishedAt, containerID: `runc://${id}` };
    // CrashLoopBackOff: 10 s, doubling to 5 min with each restart.
    const delay = Math.min(BACKOFF_START_MS * 2 ** record.restartCount, BACKOFF_MAX_MS);
    this.backoffUntil.set(record.name, this.deps.now() + delay);
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
  }

  /** Stops every container (SIGTERM, then SIGKILL after graceMs) and removes the pod from the node. */
  stop(graceMs: number): Promise<void> {
    // A stop that failed part-way is done again (every step is idempotent) when asked again.
    this.stopping ??= this.stopAll(graceMs).catch((e: unknown) => {
      this.stopping = undefined;
      throw e;
    });
    return this.stopping;
  }

  private async stopAll(graceMs: number): Promise<void> {
    const running = this.allRecords().filter((c) => c.id && !c.terminated);
    await Promise.all(running.map(async ({ id: runningID, name }) => {
      const id = runningID!;
      if (this.pod) this.deps.event(this.pod, 'Normal', 'Killing', `Stopping container ${name}`);
      await this.deps.runtime.kill(id, 'TERM').catch(() => undefined);
      const exited = this.exits.get(id);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
      // A pid 1 without a TERM handler ignores SIGTERM: SIGKILL ends it at the deadline.
      if ((await Promise.race([exited ?? Promise.resolve(0), timedOut])) === 'timeout') await this.deps.runtime.kill(id, 'KILL').catch(() => undefined);
      clearTimeout(timer);
      await exited?.catch(() => undefined);
    }));
    // Every step runs even when one before it failed; the first error is reported at the end.
    const errors: unknown[] = [];
    const step = (p: Promise<unknown>) => p.catch((e: unknown) => void errors.push(e));
    for (const c of this.allRecords()) if (c.id) await step(this.removeContainer(c.id));
    await step(removePodCgroup(this.deps.cgroups, this.uid));
    if (this.sandbox) await step(this.deps.network().then((n) => n.tearDown(this.uid)));
    await step(this.deps.volumes.tearDown(this.uid));
    // The kubelet keeps a pod's logs until the pod is gone.
    await step(Promise.resolve().then(() => this.deps.logs.removePod(this.uid)));
    if (errors.length > 0) throw errors[0];
  }
}
