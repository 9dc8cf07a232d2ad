// The Endpoints controller (upstream's pkg/controller/endpoint): for every Service with a
// selector, one v1 Endpoints of the same name listing the selected pods — ready ones under
// addresses, the others under notReadyAddresses — on the container ports the service's
// targetPorts resolve to. Services without a selector keep whatever Endpoints their user writes.
// The object is written only when its subsets or labels change.
import type { EndpointAddress, Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import { isAlreadyExists, isConflict, isNotFound } from '../client/api-error.ts';
import { involved } from '../client/event-recorder.ts';
import { objectKey } from '../client/informer.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { repackSubsets, subsetsEqual, type AddressOnPort } from './endpointslice/endpoints-subsets.ts';
import { findPort, isServiceIPSet, podIPsOfFamily, rfc3339Nano, serviceFamily, shouldPodBeInEndpoints, shouldSetHostname } from './endpointslice/pod-endpoints.ts';
import { serviceSelector, servicePodsOf, type ServicePods } from './endpointslice/service-pods.ts';
import { lastChangeTriggerTime, TriggerTimeTracker } from './endpointslice/trigger-time.ts';
import { isPodReady } from './pod-state.ts';
import { QueueController, RetryLater, type ReconcileResult } from './queue-controller.ts';

export const endpointsManagedBy = 'endpoints.kubernetes.io/managed-by';
export const endpointsControllerName = 'endpoint-controller';
const headlessLabel = 'service.kubernetes.io/headless';
const overCapacity = 'endpoints.kubernetes.io/over-capacity';
/** Addresses one Endpoints object holds at most (upstream's maxCapacity). */
const maxCapacity = 1000;

export class EndpointsController extends QueueController {
  private readonly services;
  private readonly endpoints;
  private readonly servicePods: ServicePods;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly recorder;
  /**
   * What this controller last wrote per key, until the informer shows it: the next sync starts
   * from it instead of from a cache that lags behind, which would only earn a conflict.
   */
  private readonly written = new Map<string, Endpoints>();

  constructor(ctx: ControllerContext) {
    super('endpoint-controller', ctx, 2);
    this.recorder = ctx.recorder('endpoint-controller');
    this.services = ctx.informers.informer<Service>(gvr.services);
    this.endpoints = ctx.informers.informer<Endpoints>(gvr.endpoints);
    const pods = ctx.informers.informer<Pod>(gvr.pods);
    this.servicePods = servicePodsOf(pods, this.services);
    this.services.on('add', this.enqueue).on('update', (_o, n) => this.enqueue(n)).on('delete', this.enqueue);
    this.endpoints.on('delete', (ep) => {
      this.written.delete(objectKey(ep));
      this.enqueue(ep);
    });
    const addAll = (keys: Set<string>): void => keys.forEach((k) => this.queue.add(k));
    pods
      .on('add', (p) => addAll(this.servicePods.servicesOfPod(p)))
      .on('update', (o, n) => addAll(this.servicePods.servicesOnPodUpdate(o, n)))
      .on('delete', (p) => addAll(this.servicePods.servicesOfPod(p)));
  }

  override start(): void {
    super.start();
    // Endpoints this controller wrote for services deleted while it was not running.
    for (const ep of this.endpoints.list()) {
      if (ep.metadata?.labels?.[endpointsManagedBy] === endpointsControllerName) this.enqueue(ep);
    }
  }

  /** The newest known Endpoints of the key: the cache's, or our own write it has not shown yet. */
  private current(key: string): Endpoints | undefined {
    const cached = this.endpoints.get(key);
    const mine = this.written.get(key);
    if (!mine) return cached;
    if (cached && revision(cached) >= revision(mine)) {
      this.written.delete(key);
      return cached;
    }
    return mine;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const svc = this.services.get(key);
    const [namespace, name] = key.split('/');
    if (!svc) {
      this.triggerTimes.forget(key);
      this.written.delete(key);
      try {
        await this.ctx.client.delete(gvr.endpoints, namespace, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) return;
    const pods = this.servicePods.podsFor(svc);
    const trigger = this.triggerTimes.compute(key, svc, pods);
    const triggerTime = trigger.time;
    const subsets = repackSubsets(pods.flatMap((p) => addressesOf(svc, p)));
    const labels = endpointsLabels(svc);
    const current = this.current(key);
    if (current && subsetsEqual(current.subsets, subsets) && sameMap(current.metadata?.labels, labels)
      && !needsCapacityAnnotation(current, subsets)) {
      trigger.commit();
      return;
    }
    const next: Endpoints = current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.metadata = { ...next.metadata, labels };
    const annotations = { ...next.metadata.annotations };
    if (triggerTime) annotations[lastChangeTriggerTime] = rfc3339Nano(triggerTime);
    else delete annotations[lastChangeTriggerTime];
    next.subsets = truncate(subsets);
    if (countAddresses(subsets) > maxCapacity) annotations[overCapacity] = 'truncated';
    else delete annotations[overCapacity];
    next.metadata.annotations = annotations;
    try {
      const stored = current ? await this.ctx.client.update(gvr.endpoints, next) : await this.ctx.client.create(gvr.endpoints, next);
      this.written.set(key, stored);
      trigger.commit();
    } catch (e) {
      this.written.delete(key);
      // The cache lagging behind our own last write: look again once it has caught up.
      if (isAlreadyExists(e) || isConflict(e)) throw new RetryLater(`endpoints ${key} changed meanwhile`);
      const [reason, message] = current
        ? ['FailedToUpdateEndpoint', `Failed to update endpoint ${key}: ${(e as Error).message}`]
        : ['FailedToCreateEndpoint', `Failed to create endpoint for service ${key}: ${(e as Error).message}`];
      this.recorder.event(involved(next, 'Endpoints', gvr.endpoints), 'Warning', reason, message);
      throw e;
    }
  }
}

/** A resourceVersion as a number, to tell which of two copies is newer. */
function revision(obj: Endpoints | undefined): number {
  return Number(obj?.metadata?.resourceVersion ?? 0) || 0;
}

/** The pod's address on each of the service's ports it serves. */
function addressesOf(svc: Service, pod: Pod): AddressOnPort[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  if (!shouldPodBeInEndpoints(pod, publishNotReady)) return [];
  const ip = podIPsOfFamily(pod, serviceFamily(svc))[0];
  if (!ip) return [];
  const address: EndpointAddress = {
    ip,
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (shouldSetHostname(pod, svc)) address.hostname = pod.spec!.hostname;
  const ready = publishNotReady || isPodReady(pod);
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0) return svc.spec?.clusterIP === 'None' ? [{ address, ready }] : [];
  const out: AddressOnPort[] = [];
  for (const sp of ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({
      address, ready,
      port: { ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) },
    });
  }
  return out;
}

/** The service's labels, plus who manages the object and whether the service is headless. */
function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...svc.metadata?.labels, [endpointsManagedBy]: endpointsControllerName };
  if (isServiceIPSet(svc)) delete labels[headlessLabel];
  else labels[headlessLabel] = '';
  return labels;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => a![k] === b[k]);
}

function countAddresses(subsets: ReturnType<typeof repackSubsets>): number {
  return subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
}

function needsCapacityAnnotation(current: Endpoints, subsets: ReturnType<typeof repackSubsets>): boolean {
  const has = current.metadata?.annotations?.[overCapacity] !== undefined;
  return has !== countAddresses(subsets) > maxCapacity;
}

/**
 * Keeps at most maxCapacity addresses (upstream's truncateEndpoints): ready ones first, each
 * subset keeping its share of what is left.
 */
function truncate(subsets: ReturnType<typeof repackSubsets>): ReturnType<typeof repackSubsets> {
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (ready + notReady <= maxCapacity) return subsets;
  const truncateReady = ready > maxCapacity;
  const max = truncateReady ? maxCapacity : maxCapacity - ready;
  const total = truncateReady ? ready : notReady;
  let left = max;
  return subsets.map((s) => {
    const list = truncateReady ? s.addresses ?? [] : s.notReadyAddresses ?? [];
    const take = Math.min(left, Math.ceil((list.length / total) * max));
    const kept = list.slice(0, take);
    left -= kept.length;
    return truncateReady ? { ...s, addresses: kept, notReadyAddresses: undefined } : { ...s, notReadyAddresses: kept };
  });
}
