// Which pods a Service selects and which Services a pod change concerns, from indices on the
// shared informers instead of scans: pods are filed under every namespace+label pair they carry,
// so a service's pods are read from the smallest bucket of its selector's pairs; services are
// filed by namespace, so a pod event is checked only against the services of its namespace.
// At 10,000 pods in one namespace a reconcile reads its own hundred pods, not ten thousand.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { Informer } from '../../client/informer.ts';
import { objectKey } from '../../client/informer.ts';
import { podEndpointsChanged } from './pod-endpoints.ts';

const podLabelIndex = 'endpoints:namespace-label';
const serviceNamespaceIndex = 'endpoints:namespace';

function labelKey(namespace: string, key: string, value: string): string {
  return `${namespace}\u0000${key}\u0000${value}`;
}

/** A service's selector when it has one; an empty or missing selector means "not managed here". */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  if (!labels) return false;
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b ?? {}).length) return false;
  return ak.every((k) => a![k] === b?.[k]);
}

export class ServicePods {
  constructor(
    private readonly pods: Informer<Pod>,
    private readonly services: Informer<Service>,
  ) {
    // Both endpoint controllers call this: the same index under the same name is filed once.
    pods.addIndex(podLabelIndex, (pod) => {
      const ns = pod.metadata?.namespace ?? '';
      return Object.entries(pod.metadata?.labels ?? {}).map(([k, v]) => labelKey(ns, k, v));
    });
    services.addIndex(serviceNamespaceIndex, (svc) => [svc.metadata?.namespace ?? '']);
  }

  /** The pods of the service's namespace that its selector matches. */
  podsFor(svc: Service): Pod[] {
    const selector = serviceSelector(svc);
    if (!selector) return [];
    const ns = svc.metadata?.namespace ?? '';
    let smallest: Pod[] | undefined;
    for (const [k, v] of Object.entries(selector)) {
      const bucket = this.pods.byIndex(podLabelIndex, labelKey(ns, k, v));
      if (!smallest || bucket.length < smallest.length) smallest = bucket;
      if (bucket.length === 0) break;
    }
    return (smallest ?? []).filter((p) => selects(selector, p.metadata?.labels));
  }

  /** Keys of the services (with a selector) whose selector matches these labels. */
  servicesFor(namespace: string, labels: Record<string, string> | undefined): Set<string> {
    const out = new Set<string>();
    for (const svc of this.services.byIndex(serviceNamespaceIndex, namespace)) {
      const selector = serviceSelector(svc);
      if (selector && selects(selector, labels)) out.add(objectKey(svc));
    }
    return out;
  }

  /** The services of a pod that was added or deleted. */
  servicesOfPod(pod: Pod): Set<string> {
    return this.servicesFor(pod.metadata?.namespace ?? '', pod.metadata?.labels);
  }

  /**
   * The services a pod update concerns (upstream's GetServicesToUpdateOnPodChange): none for a
   * resync or a change no endpoint shows; with new labels, the services it joined or left (and
   * all of its old and new ones when its endpoint changed too).
   */
  servicesOnPodUpdate(oldPod: Pod, newPod: Pod): Set<string> {
    if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return new Set();
    const changed = podEndpointsChanged(oldPod, newPod);
    const labelsChanged = !sameLabels(oldPod.metadata?.labels, newPod.metadata?.labels);
    if (!changed && !labelsChanged) return new Set();
    const current = this.servicesOfPod(newPod);
    if (!labelsChanged) return current;
    const previous = this.servicesOfPod(oldPod);
    const out = new Set<string>();
    for (const k of current) if (changed || !previous.has(k)) out.add(k);
    for (const k of previous) if (changed || !current.has(k)) out.add(k);
    return out;
  }
}

const shared = new WeakMap<Informer<Pod>, ServicePods>();

/** One ServicePods per pods informer, so the endpoint controllers share one set of indices. */
export function servicePodsOf(pods: Informer<Pod>, services: Informer<Service>): ServicePods {
  let sp = shared.get(pods);
  if (!sp) shared.set(pods, (sp = new ServicePods(pods, services)));
  return sp;
}
