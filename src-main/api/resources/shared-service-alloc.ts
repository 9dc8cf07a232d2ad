// Cluster IP and node port allocation for Services (pkg/registry/core/service/storage's
// allocators). prepareForCreate/prepareForUpdate cannot return errors, so a failed allocation is
// remembered per object here and reported by validate(), which the server runs right after.
import { FieldPath, invalid, type FieldError } from '../field-errors.ts';
import { arrayAt, isRecord, recordAt } from './shared-meta.ts';
import { isHeadless, needsClusterIP, needsNodePorts } from './shared-service-validation.ts';
import type { Allocator, KubeObject, StrategyContext } from './types.ts';

const allocationErrors = new WeakMap<object, FieldError[]>();

/** Errors of the last allocation for this object (consumed: a second call returns none). */
export function takeAllocationErrors(obj: KubeObject): FieldError[] {
  const errs = allocationErrors.get(obj) ?? [];
  allocationErrors.delete(obj);
  return errs;
}

/** Values taken during one create or update, released again when it fails or is a dry run. */
class Allocations {
  private readonly taken: [Allocator, string][] = [];
  readonly errors: FieldError[] = [];
  take(a: Allocator, value: string): void {
    this.taken.push([a, value]);
  }
  rollback(): void {
    for (const [a, v] of this.taken) a.release(v);
    this.taken.length = 0;
  }
}

function reserveIP(ctx: StrategyContext, ip: string, ips: unknown[], done: Allocations): void {
  const a = ctx.allocators.clusterIP;
  const path = FieldPath.root('spec').child('clusterIPs');
  if (!a.contains(ip)) {
    done.errors.push(invalid(path, ips, `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${a.range}`));
  } else if (!a.reserve(ip)) {
    done.errors.push(invalid(path, ips, `failed to allocate IP ${ip}: provided IP is already allocated`));
  } else done.take(a, ip);
}

function allocateClusterIP(spec: Record<string, unknown>, ctx: StrategyContext, done: Allocations): void {
  if (!needsClusterIP(spec) || isHeadless(spec)) return;
  const given = typeof spec.clusterIP === 'string' && spec.clusterIP ? spec.clusterIP : undefined;
  if (given) {
    reserveIP(ctx, given, arrayAt(spec, 'clusterIPs'), done);
    return;
  }
  const ip = ctx.allocators.clusterIP.allocateNext();
  if (!ip) {
    done.errors.push(invalid(FieldPath.root('spec').child('clusterIPs'), [], 'failed to allocate a serviceIP: range is full'));
    return;
  }
  done.take(ctx.allocators.clusterIP, ip);
  spec.clusterIP = ip;
  spec.clusterIPs = [ip];
}

/**
 * Gives every port of a NodePort/LoadBalancer service a node port: given ones are reserved
 * (unless held already, listed in `held`), missing ones allocated. Ports sharing a port number
 * (TCP and UDP of one DNS port) share the node port, as upstream.
 */
function allocateNodePorts(spec: Record<string, unknown>, ctx: StrategyContext, done: Allocations, held: Set<number>): void {
  if (!needsNodePorts(spec)) return;
  const a = ctx.allocators.nodePort;
  const ports = arrayAt(spec, 'ports').filter(isRecord);
  const mine = new Set<number>();
  ports.forEach((p, i) => {
    const np = p.nodePort;
    if (typeof np !== 'number' || np === 0 || mine.has(np) || held.has(np)) {
      if (typeof np === 'number') mine.add(np);
      return;
    }
    const path = FieldPath.root('spec').child('ports').index(i).child('nodePort');
    if (!a.contains(String(np))) done.errors.push(invalid(path, np, `provided port is not in the valid range. The range of valid ports is ${a.range}`));
    else if (!a.reserve(String(np))) done.errors.push(invalid(path, np, 'provided port is already allocated'));
    else {
      done.take(a, String(np));
      mine.add(np);
    }
  });
  ports.forEach((p, i) => {
    if (typeof p.nodePort === 'number' && p.nodePort !== 0) return;
    const sibling = ports.find((q) => q !== p && q.port === p.port && typeof q.nodePort === 'number' && q.nodePort !== 0);
    if (sibling) {
      p.nodePort = sibling.nodePort;
      return;
    }
    const np = a.allocateNext();
    if (np === undefined) {
      done.errors.push(invalid(FieldPath.root('spec').child('ports').index(i).child('nodePort'), 0, 'failed to allocate a nodePort: range is full'));
      return;
    }
    done.take(a, np);
    p.nodePort = Number(np);
  });
}

/** LoadBalancer services with externalTrafficPolicy Local get a node port for health checks. */
export const needsHealthCheckNodePort = (spec: Record<string, unknown> | undefined): boolean =>
  spec?.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

function allocateHealthCheckNodePort(spec: Record<string, unknown>, ctx: StrategyContext, done: Allocations, held: number | undefined): void {
  if (!needsHealthCheckNodePort(spec)) return;
  const a = ctx.allocators.nodePort;
  const path = FieldPath.root('spec').child('healthCheckNodePort');
  const given = spec.healthCheckNodePort;
  if (typeof given === 'number' && given !== 0) {
    if (given === held) return;
    if (!a.contains(String(given))) done.errors.push(invalid(path, given, `provided port is not in the valid range. The range of valid ports is ${a.range}`));
    else if (!a.reserve(String(given))) done.errors.push(invalid(path, given, 'provided port is already allocated'));
    else done.take(a, String(given));
    return;
  }
  const np = a.allocateNext();
  if (np === undefined) done.errors.push(invalid(path, 0, 'failed to allocate a nodePort: range is full'));
  else {
    done.take(a, np);
    spec.healthCheckNodePort = Number(np);
  }
}

const healthCheckPortOf = (spec: Record<string, unknown> | undefined): number | undefined =>
  needsHealthCheckNodePort(spec) && typeof spec?.healthCheckNodePort === 'number' && spec.healthCheckNodePort !== 0 ? spec.healthCheckNodePort : undefined;

function finish(obj: KubeObject, ctx: StrategyContext, done: Allocations): void {
  if (done.errors.length > 0 || ctx.dryRun) done.rollback();
  if (done.errors.length > 0) allocationErrors.set(obj, done.errors);
}

/** On create: cluster IP(s) and node ports for the new service. */
export function allocateForCreate(obj: KubeObject, ctx: StrategyContext): void {
  const spec = recordAt(obj, 'spec');
  if (!spec) return;
  const done = new Allocations();
  allocateClusterIP(spec, ctx, done);
  if (done.errors.length === 0) allocateNodePorts(spec, ctx, done, new Set());
  if (done.errors.length === 0) allocateHealthCheckNodePort(spec, ctx, done, undefined);
  finish(obj, ctx, done);
}

export const nodePortsOf = (spec: Record<string, unknown> | undefined): Set<number> =>
  new Set(
    arrayAt(spec, 'ports')
      .filter(isRecord)
      .map((p) => p.nodePort)
      .filter((n): n is number => typeof n === 'number' && n !== 0),
  );

const clusterIPsOf = (spec: Record<string, unknown> | undefined): string[] =>
  needsClusterIP(spec) && !isHeadless(spec) ? arrayAt(spec, 'clusterIPs').filter((ip): ip is string => typeof ip === 'string' && ip !== 'None') : [];

/**
 * On update: what the type change needs (a cluster IP when leaving ExternalName, node ports when
 * becoming NodePort) is taken; what the old object held and the new one no longer does is given
 * back, except on a dry run.
 */
export function allocateForUpdate(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void {
  const spec = recordAt(obj, 'spec');
  const oldSpec = recordAt(old, 'spec');
  if (!spec) return;
  const done = new Allocations();
  const oldIPs = clusterIPsOf(oldSpec);
  if (oldIPs.length === 0) allocateClusterIP(spec, ctx, done);
  const oldPorts = nodePortsOf(oldSpec);
  if (done.errors.length === 0) allocateNodePorts(spec, ctx, done, oldPorts);
  const oldHealthCheck = healthCheckPortOf(oldSpec);
  if (done.errors.length === 0) allocateHealthCheckNodePort(spec, ctx, done, oldHealthCheck);
  finish(obj, ctx, done);
  if (done.errors.length > 0 || ctx.dryRun) return;
  const newIPs = new Set(clusterIPsOf(spec));
  for (const ip of oldIPs) if (!newIPs.has(ip)) ctx.allocators.clusterIP.release(ip);
  const newPorts = needsNodePorts(spec) ? nodePortsOf(spec) : new Set<number>();
  for (const np of oldPorts) if (!newPorts.has(np)) ctx.allocators.nodePort.release(String(np));
  if (oldHealthCheck !== undefined && oldHealthCheck !== healthCheckPortOf(spec)) ctx.allocators.nodePort.release(String(oldHealthCheck));
}

/** After delete: everything the service held goes back to its range. */
export function releaseAll(obj: KubeObject, ctx: StrategyContext): void {
  const spec = recordAt(obj, 'spec');
  for (const ip of clusterIPsOf(spec)) ctx.allocators.clusterIP.release(ip);
  for (const np of nodePortsOf(spec)) ctx.allocators.nodePort.release(String(np));
  const hc = healthCheckPortOf(spec);
  if (hc !== undefined) ctx.allocators.nodePort.release(String(hc));
}
