// What one sync of one Deployment works with: a private copy of the Deployment that the sync
// changes as it goes (status, revision annotation) — never the informer's object — and the
// client, recorder, clock and caches of the controller. Writes keep the copy's resourceVersion
// current, so that several writes in one sync do not conflict with each other.
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { EventRecorder, EventType } from '../../client/event-recorder.ts';
import { involved } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import type { Clock } from '../../util/clock.ts';
import { cloneJSON } from '../../util/clone-json.ts';
import { rfc3339 } from '../replicaset/status.ts';

export interface DeploymentDeps {
  client: KubeClient;
  recorder: EventRecorder;
  clock: Clock;
  replicaSets: Informer<ReplicaSet>;
  /** Looks at the Deployment again after ms (on the clock). */
  requeueAfter(key: string, ms: number): void;
}

export class SyncContext {
  /** The Deployment as this sync has made it so far. */
  d: Deployment;
  /** ReplicaSets this sync wrote, by uid: later steps start from these, not the older cache. */
  private readonly written = new Map<string, ReplicaSet>();

  constructor(readonly deps: DeploymentDeps, deployment: Deployment) {
    this.d = cloneJSON(deployment);
  }

  get client(): KubeClient {
    return this.deps.client;
  }

  get key(): string {
    return `${this.d.metadata?.namespace}/${this.d.metadata?.name}`;
  }

  get name(): string {
    return this.d.metadata!.name!;
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** Now, as condition times are written (RFC 3339, seconds). */
  nowTime(): string {
    return rfc3339(this.deps.clock.now());
  }

  /** Remembers a ReplicaSet as written by this sync. */
  wrote(rs: ReplicaSet): ReplicaSet {
    if (rs.metadata?.uid) this.written.set(rs.metadata.uid, rs);
    return rs;
  }

  /** The cached ReplicaSets as this sync last wrote them, and any it created since. */
  current(cached: readonly ReplicaSet[]): ReplicaSet[] {
    const out = cached.map((rs) => this.written.get(rs.metadata?.uid ?? '') ?? rs);
    const known = new Set(cached.map((rs) => rs.metadata?.uid));
    for (const [uid, rs] of this.written) if (!known.has(uid)) out.push(rs);
    return out;
  }

  event(type: EventType, reason: string, message: string): void {
    this.deps.recorder.event(involved(this.d, 'Deployment', gvr.deployments), type, reason, message);
  }

  /** Writes status (the copy's, or the one given) through the status subresource. */
  async writeStatus(status: DeploymentStatus = this.d.status ?? {}): Promise<void> {
    this.d.status = status;
    const written = await this.client.updateStatus<Deployment>(gvr.deployments, this.d);
    this.d.metadata = { ...this.d.metadata, resourceVersion: written.metadata?.resourceVersion };
  }

  /**
   * Sets an annotation of the Deployment. Upstream writes it along with status (its status
   * subresource keeps metadata changes); here the status subresource changes status only, so the
   * annotation is a small merge patch of metadata, which does not touch spec or generation.
   */
  async writeAnnotation(key: string, value: string): Promise<void> {
    if (this.d.metadata?.annotations?.[key] === value) return;
    const written = await this.client.patch<Deployment>(gvr.deployments, this.d.metadata?.namespace, this.name, {
      metadata: { annotations: { [key]: value }, resourceVersion: this.d.metadata?.resourceVersion },
    }, 'merge');
    this.d.metadata = { ...this.d.metadata, annotations: { ...this.d.metadata?.annotations, [key]: value }, resourceVersion: written.metadata?.resourceVersion };
  }
}
