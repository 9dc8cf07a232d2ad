// The EndpointSlice controller (upstream's pkg/controller/endpointslice): for every Service with
// a selector, discovery.k8s.io/v1 EndpointSlices of at most 100 endpoints each, labelled with the
// service's name and this controller as their manager, owned by the service (so the garbage
// collector removes them with it). Ready, serving and terminating conditions follow the pods;
// slices change as little as possible (see endpointslice/reconciler.ts).
import type { Node, Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { isAlreadyExists, isNotFound } from '../client/api-error.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { rfc3339Nano } from './endpointslice/pod-endpoints.ts';
import { planSlices, type SlicePlan } from './endpointslice/reconciler.ts';
import { serviceSelector, servicePodsOf, type ServicePods } from './endpointslice/service-pods.ts';
import { labelManagedBy, labelServiceName, sliceControllerName, type AddressType } from './endpointslice/slice-endpoints.ts';
import { SliceTracker } from './endpointslice/slice-tracker.ts';
import { lastChangeTriggerTime, TriggerTimeTracker } from './endpointslice/trigger-time.ts';
import { QueueController, RetryLater, type ReconcileResult } from './queue-controller.ts';

const byServiceIndex = 'endpointslice:service';

function serviceKeyOf(slice: EndpointSlice): string | undefined {
  const name = slice.metadata?.labels?.[labelServiceName];
  return name ? `${slice.metadata?.namespace}/${name}` : undefined;
}

function managed(slice: EndpointSlice): boolean {
  return slice.metadata?.labels?.[labelManagedBy] === sliceControllerName;
}

export class EndpointSliceController extends QueueController {
  private readonly services;
  private readonly slices;
  private readonly nodes;
  private readonly servicePods: ServicePods;
  private readonly tracker = new SliceTracker();
  private readonly triggerTimes = new TriggerTimeTracker();

  constructor(ctx: ControllerContext) {
    super('endpointslice-controller', ctx, 2);
    this.services = ctx.informers.informer<Service>(gvr.services);
    this.slices = ctx.informers.informer<EndpointSlice>(gvr.endpointSlices);
    this.nodes = ctx.informers.informer<Node>(gvr.nodes);
    const pods = ctx.informers.informer<Pod>(gvr.pods);
    this.servicePods = servicePodsOf(pods, this.services);
    this.slices.addIndex(byServiceIndex, (s) => {
      const key = managed(s) ? serviceKeyOf(s) : undefined;
      return key ? [key] : [];
    });
    this.services.on('add', this.enqueue).on('update', (_o, n) => this.enqueue(n)).on('delete', this.enqueue);
    const onSlice = (slice: EndpointSlice, gone: boolean): void => {
      const key = serviceKeyOf(slice);
      if (!key || !managed(slice)) return;
      if (!this.tracker.observed(key, slice, gone)) this.queue.add(key);
    };
    this.slices
      .on('add', (s) => onSlice(s, false))
      .on('update', (o, n) => {
        if (managed(o) !== managed(n) && serviceKeyOf(o)) this.queue.add(serviceKeyOf(o)!);
        if (o.metadata?.resourceVersion !== n.metadata?.resourceVersion) onSlice(n, false);
      })
      .on('delete', (s) => onSlice(s, true));
    const addAll = (keys: Set<string>): void => keys.forEach((k) => this.queue.add(k));
    pods
      .on('add', (p) => addAll(this.servicePods.servicesOfPod(p)))
      .on('update', (o, n) => addAll(this.servicePods.servicesOnPodUpdate(o, n)))
      .on('delete', (p) => addAll(this.servicePods.servicesOfPod(p)));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const svc = this.services.get(key);
    if (!svc) {
      // The slices are the service's dependents: the garbage collector deletes them.
      this.tracker.forget(key);
      this.triggerTimes.forget(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) return;
    const namespace = svc.metadata?.namespace ?? '';
    if (this.tracker.stale(key, (name) => this.slices.get(`${namespace}/${name}`))) throw new RetryLater(`slices of ${key} not yet observed`);
    const pods = this.servicePods.podsFor(svc);
    const existing = this.slices.byIndex(byServiceIndex, key);
    const trigger = this.triggerTimes.compute(key, svc, pods);
    const families = new Set<AddressType>((svc.spec?.ipFamilies ?? ['IPv4']).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6'));
    let missingNodes = false;
    for (const addressType of families) {
      const plan = planSlices(svc, pods, existing, (n) => this.nodes.get(n), addressType);
      missingNodes ||= plan.missingNodes;
      await this.apply(key, svc, plan, trigger.time);
    }
    trigger.commit();
    // Slices of an address type the service no longer has.
    for (const slice of existing) {
      if (!families.has(slice.addressType as AddressType)) await this.deleteSlice(key, slice);
    }
    if (missingNodes) throw new RetryLater(`pods of ${key} are on unknown nodes`);
  }

  private async apply(key: string, svc: Service, plan: SlicePlan, triggerTime: number): Promise<void> {
    const stamp = (slice: EndpointSlice): EndpointSlice => {
      const annotations = { ...slice.metadata?.annotations };
      if (triggerTime) annotations[lastChangeTriggerTime] = rfc3339Nano(triggerTime);
      else delete annotations[lastChangeTriggerTime];
      return { ...slice, metadata: { ...slice.metadata, annotations } };
    };
    // No new slices for a service being deleted: the garbage collector is removing them.
    if (!svc.metadata?.deletionTimestamp) {
      for (const slice of plan.create) {
        try {
          this.tracker.wrote(key, await this.ctx.client.create(gvr.endpointSlices, stamp(slice)));
        } catch (e) {
          if (isAlreadyExists(e)) throw new RetryLater('generated name taken');
          throw e;
        }
      }
    }
    for (const slice of plan.update) this.tracker.wrote(key, await this.ctx.client.update(gvr.endpointSlices, stamp(slice)));
    for (const slice of plan.delete) await this.deleteSlice(key, slice);
  }

  private async deleteSlice(key: string, slice: EndpointSlice): Promise<void> {
    try {
      await this.ctx.client.delete(gvr.endpointSlices, slice.metadata?.namespace, slice.metadata!.name!);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    this.tracker.deleted(key, slice);
  }
}
