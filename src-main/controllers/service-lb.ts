// ServiceLB, after k3s' klipper-lb idea: with no cloud to provision a load balancer, a Service of
// type LoadBalancer is reachable on the nodes themselves, so its status.loadBalancer.ingress
// lists the address of every node that can take traffic (Ready, schedulable, not excluded) —
// its ExternalIP if it has one, else its InternalIP — and follows nodes as they come and go.
// Steering the traffic there is the node agent's job. Like upstream's service controller, it
// keeps the load-balancer-cleanup finalizer on the services it serves, so that one deleted or
// turned into another type is cleaned up (status cleared) before it goes, with the same events.
import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1';
import { isNotFound } from '../client/api-error.ts';
import { involved } from '../client/event-recorder.ts';
import { objectKey } from '../client/informer.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';

/** The loadBalancerClass this controller answers to (besides services that name none). */
export const serviceLBClass = 'kubelab.dev/servicelb';
export const loadBalancerCleanupFinalizer = 'service.kubernetes.io/load-balancer-cleanup';
const excludeLabel = 'node.kubernetes.io/exclude-from-external-load-balancers';

function wantsLoadBalancer(svc: Service): boolean {
  if (svc.spec?.type !== 'LoadBalancer' || svc.metadata?.deletionTimestamp) return false;
  const cls = svc.spec.loadBalancerClass;
  return !cls || cls === serviceLBClass;
}

/** The node can take load-balancer traffic: Ready, not cordoned, not excluded. */
function eligible(node: Node): boolean {
  if (node.spec?.unschedulable) return false;
  if (node.metadata?.labels?.[excludeLabel] !== undefined) return false;
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function nodeAddress(node: Node): string | undefined {
  const addresses = node.status?.addresses ?? [];
  return addresses.find((a) => a.type === 'ExternalIP')?.address ?? addresses.find((a) => a.type === 'InternalIP')?.address;
}

function ipOrder(a: string, b: string): number {
  const num = (ip: string): number[] => ip.split(/[.:]/).map((p) => parseInt(p, ip.includes(':') ? 16 : 10) || 0);
  const x = num(a);
  const y = num(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function sameIngress(a: readonly LoadBalancerIngress[] | undefined, b: readonly LoadBalancerIngress[]): boolean {
  const norm = (l: readonly LoadBalancerIngress[] | undefined) => JSON.stringify((l ?? []).map((i) => [i.ip ?? '', i.hostname ?? '', i.ipMode ?? '']));
  return norm(a) === norm(b);
}

export class ServiceLBController extends QueueController {
  private readonly services;
  private readonly nodes;
  private readonly recorder;
  /** Services that are, or were, load balancers: the ones a node change concerns. */
  private readonly balanced = new Set<string>();

  constructor(ctx: ControllerContext) {
    super('service-lb-controller', ctx, 1);
    this.recorder = ctx.recorder('service-controller');
    this.services = ctx.informers.informer<Service>(gvr.services);
    this.nodes = ctx.informers.informer<Node>(gvr.nodes);
    const onService = (svc: Service): void => {
      const key = objectKey(svc);
      const ours = svc.spec?.type === 'LoadBalancer' || svc.metadata?.finalizers?.includes(loadBalancerCleanupFinalizer);
      if (ours) this.balanced.add(key);
      if (ours || this.balanced.has(key)) this.queue.add(key);
    };
    this.services.on('add', onService).on('update', (_o, n) => onService(n)).on('delete', (s) => this.balanced.delete(objectKey(s)));
    const onNodes = (): void => this.balanced.forEach((k) => this.queue.add(k));
    this.nodes
      .on('add', onNodes)
      .on('delete', onNodes)
      .on('update', (o, n) => {
        if (eligible(o) !== eligible(n) || nodeAddress(o) !== nodeAddress(n)) onNodes();
      });
  }

  /** Where the load balancer answers: one ingress per eligible node address, in address order. */
  private ingress(): LoadBalancerIngress[] {
    const ips = new Set<string>();
    for (const node of this.nodes.list()) {
      const ip = eligible(node) ? nodeAddress(node) : undefined;
      if (ip) ips.add(ip);
    }
    return [...ips].sort(ipOrder).map((ip) => ({ ip, ipMode: 'VIP' }));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const svc = this.services.get(key);
    if (!svc) return;
    const hasFinalizer = svc.metadata?.finalizers?.includes(loadBalancerCleanupFinalizer) ?? false;
    if (!wantsLoadBalancer(svc)) {
      if (hasFinalizer) await this.cleanUp(svc);
      else this.balanced.delete(key);
      return;
    }
    if (!hasFinalizer) {
      await this.setFinalizer(svc, true);
      return; // the update comes back through the informer
    }
    const ingress = this.ingress();
    const current = svc.status?.loadBalancer?.ingress;
    if (sameIngress(current, ingress)) return;
    const first = !current?.length;
    if (first) this.event(svc, 'EnsuringLoadBalancer', 'Ensuring load balancer');
    await this.writeIngress(svc, ingress);
    if (first) this.event(svc, 'EnsuredLoadBalancer', 'Ensured load balancer');
    else this.event(svc, 'UpdatedLoadBalancer', 'Updated load balancer with new hosts');
  }

  /** The service stopped being ours (deleted, or another type or class): clear what we set. */
  private async cleanUp(svc: Service): Promise<void> {
    this.event(svc, 'DeletingLoadBalancer', 'Deleting load balancer');
    if (!svc.metadata?.deletionTimestamp && svc.status?.loadBalancer?.ingress?.length) await this.writeIngress(svc, []);
    await this.setFinalizer(svc, false);
    this.event(svc, 'DeletedLoadBalancer', 'Deleted load balancer');
  }

  private async writeIngress(svc: Service, ingress: LoadBalancerIngress[]): Promise<void> {
    const next: Service = { ...structuredClone(svc), status: { ...svc.status, loadBalancer: ingress.length > 0 ? { ingress } : {} } };
    await this.ctx.client.updateStatus(gvr.services, next);
  }

  private async setFinalizer(svc: Service, present: boolean): Promise<void> {
    const others = (svc.metadata?.finalizers ?? []).filter((f) => f !== loadBalancerCleanupFinalizer);
    const finalizers = present ? [...others, loadBalancerCleanupFinalizer] : others;
    try {
      await this.ctx.client.patch(gvr.services, svc.metadata?.namespace, svc.metadata!.name!, {
        metadata: { finalizers, resourceVersion: svc.metadata?.resourceVersion },
      }, 'merge');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private event(svc: Service, reason: string, message: string): void {
    this.recorder.event(involved(svc, 'Service', gvr.services), 'Normal', reason, message);
  }
}
