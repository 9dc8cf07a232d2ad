// Where a forward to a pod or a service goes, as kubectl port-forward decides it: a pod's port by
// number or by a container port's name; a service's port (by number or name) becomes its
// targetPort on one ready pod of its selector, a named targetPort looked up in that pod.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { ServiceError } from './service-error.ts';

/** The pod's port for `port` (a number, or a container port's name). */
export function podPort(pod: Pod, port: string): number {
  if (/^\d+$/.test(port)) return checkPort(Number(port), `pod ${pod.metadata?.name}`);
  const found = pod.spec?.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === port);
  if (!found) throw new ServiceError(`pod ${pod.metadata?.name} has no container port named "${port}"`, 400);
  return found.containerPort;
}

/** The pod to forward to: ready, running and not being deleted; the oldest first (stable). */
export function readyPodOf(service: Service, pods: Pod[]): Pod {
  const name = service.metadata?.name;
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) throw new ServiceError(`service ${name} has no selector: there is no pod to forward to`, 400);
  const ready = pods.filter((p) => matches(p, selector) && isReady(p));
  ready.sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata!.name!).localeCompare(b.metadata!.name!));
  const pod = ready[0];
  if (!pod) throw new ServiceError(`service ${name} has no ready pod behind it (selector ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')})`, 400);
  return pod;
}

/** The pod port behind a service port (its number or name), in `pod`. */
export function serviceTargetPort(service: Service, pod: Pod, port: string): number {
  const name = service.metadata?.name;
  const numeric = /^\d+$/.test(port);
  const sp = service.spec?.ports?.find((p) => (numeric ? p.port === Number(port) : p.name === port));
  if (!sp) throw new ServiceError(`service ${name} has no port ${numeric ? port : `named "${port}"`} (it has ${(service.spec?.ports ?? []).map((p) => p.name ? `${p.port}/${p.name}` : p.port).join(', ') || 'none'})`, 400);
  const target = sp.targetPort;
  if (target === undefined || target === 0 || target === '') return sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  return podPort(pod, target);
}

function checkPort(port: number, what: string): number {
  if (port < 1 || port > 65535) throw new ServiceError(`${what}: port ${port} is not between 1 and 65535`, 400);
  return port;
}

const matches = (pod: Pod, selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => pod.metadata?.labels?.[k] === v);

const isReady = (pod: Pod) => !pod.metadata?.deletionTimestamp && pod.status?.phase === 'Running'
  && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
