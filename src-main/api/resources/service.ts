// v1 Service: upstream's defaults (core/v1 SetDefaults_Service plus the IP-family fields the REST
// layer fills), cluster IP and node port allocation, validation and the `kubectl get svc` table.
import { allocateForCreate, allocateForUpdate, needsHealthCheckNodePort, releaseAll, takeAllocationErrors } from './shared-service-alloc.ts';
import { ageColumn, ageOf, arrayAt, deepEqual, isRecord, nameColumn, nameOf, recordAt, stringAt } from './shared-meta.ts';
import { isHeadless, needsClusterIP, needsNodePorts, validateService, validateServiceUpdate } from './shared-service-validation.ts';
import type { KubeObject, ResourceDefinition, StrategyContext } from './types.ts';
import { cloneJSON } from '../../util/clone-json.ts';

/** Seconds of ClientIP affinity when none is given (DefaultClientIPServiceAffinitySeconds). */
const defaultAffinitySeconds = 10800;

function defaultService(obj: KubeObject): void {
  if (!isRecord(obj.spec)) return;
  const spec = obj.spec;
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const config = recordAt(spec, 'sessionAffinityConfig');
    if (recordAt(config, 'clientIP')?.timeoutSeconds === undefined) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: defaultAffinitySeconds } };
    }
  }
  spec.type ||= 'ClusterIP';
  for (const p of arrayAt(spec, 'ports')) {
    if (!isRecord(p)) continue;
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const type = spec.type;
  if ((type === 'NodePort' || type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && type !== 'ExternalName') spec.internalTrafficPolicy = 'Cluster';
  if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;

  // clusterIP and clusterIPs[0] name the same address; fill whichever is missing.
  const ips = arrayAt(spec, 'clusterIPs');
  if (spec.clusterIP && ips.length === 0) spec.clusterIPs = [spec.clusterIP];
  else if (!spec.clusterIP && typeof ips[0] === 'string') spec.clusterIP = ips[0];

  // This cluster is IPv4 single-stack; headless services without a selector may be dual-stack
  // by upstream's rules, so they get RequireDualStack with the cluster's one family.
  if (type !== 'ExternalName') {
    if (spec.ipFamilyPolicy === undefined) {
      const selectorless = isHeadless(spec) && Object.keys(recordAt(spec, 'selector') ?? {}).length === 0;
      spec.ipFamilyPolicy = selectorless ? 'RequireDualStack' : 'SingleStack';
    }
    if (arrayAt(spec, 'ipFamilies').length === 0) spec.ipFamilies = ['IPv4'];
  }
}

/**
 * A PUT without the allocated values keeps them (upstream's patchAllocatedValues), and fields
 * that only made sense for the old type are dropped when the user left them unchanged
 * (dropTypeDependentFields), so `kubectl replace` and type changes work as upstream.
 */
function keepAllocatedValues(spec: Record<string, unknown>, oldSpec: Record<string, unknown>): void {
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (arrayAt(spec, 'clusterIPs').length === 0 && arrayAt(oldSpec, 'clusterIPs').length > 0) spec.clusterIPs = cloneJSON(oldSpec.clusterIPs);
  }
  if (needsNodePorts(oldSpec) && needsNodePorts(spec)) {
    const byName = new Map<string, unknown>();
    for (const p of arrayAt(oldSpec, 'ports')) if (isRecord(p)) byName.set(String(p.name ?? ''), p.nodePort);
    const used = new Set(arrayAt(spec, 'ports').map((p) => (isRecord(p) ? p.nodePort : undefined)));
    if (!spec.healthCheckNodePort && needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(spec)) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
    for (const p of arrayAt(spec, 'ports')) {
      if (!isRecord(p) || (p.nodePort !== undefined && p.nodePort !== 0)) continue;
      const previous = byName.get(String(p.name ?? ''));
      if (typeof previous === 'number' && !used.has(previous)) p.nodePort = previous;
    }
  }
}

function dropTypeDependentFields(spec: Record<string, unknown>, oldSpec: Record<string, unknown>): void {
  // The health check port goes with LoadBalancer + Local, also when only the policy changes.
  if (!needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (spec.type === oldSpec.type) return;
  if (!needsClusterIP(spec) && needsClusterIP(oldSpec) && deepEqual(spec.clusterIPs, oldSpec.clusterIPs)) {
    for (const f of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'internalTrafficPolicy']) delete spec[f];
  }
  if (!needsNodePorts(spec) && needsNodePorts(oldSpec)) {
    const oldPorts = arrayAt(oldSpec, 'ports');
    arrayAt(spec, 'ports').forEach((p, i) => {
      if (isRecord(p) && isRecord(oldPorts[i]) && p.nodePort === oldPorts[i].nodePort) delete p.nodePort;
    });
  }
  if (spec.type !== 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (!external && spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
}

// ---- table (printService in pkg/printers/internalversion) ----

function loadBalancerIPs(obj: KubeObject, wide: boolean): string {
  const ingress = arrayAt(recordAt(recordAt(obj, 'status'), 'loadBalancer'), 'ingress');
  const text = ingress
    .map((i) => stringAt(i, 'ip') || stringAt(i, 'hostname') || '')
    .filter(Boolean)
    .join(',');
  return !wide && text.length > 16 ? `${text.slice(0, 13)}...` : text;
}

function externalIP(obj: KubeObject): string {
  const spec = recordAt(obj, 'spec');
  const externalIPs = arrayAt(spec, 'externalIPs').map(String);
  switch (spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      // The API server prints tables with Wide: true (upstream's TableConvertor), so kubectl
      // shows every load-balancer address, never the 16-character cut of client-side printing.
      const lb = loadBalancerIPs(obj, true);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return stringAt(spec, 'externalName') ?? '';
    default:
      return '<unknown>';
  }
}

function portsCell(spec: Record<string, unknown> | undefined): string {
  const ports = arrayAt(spec, 'ports').filter(isRecord);
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => {
      const protocol = String(p.protocol ?? 'TCP');
      return typeof p.nodePort === 'number' && p.nodePort > 0 ? `${String(p.port)}:${p.nodePort}/${protocol}` : `${String(p.port)}/${protocol}`;
    })
    .join(',');
}

/** labels.FormatLabels: k=v pairs sorted by key, or <none>. */
export function formatSelector(selector: Record<string, unknown> | undefined): string {
  const keys = Object.keys(selector ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${String(selector?.[k])}`).join(',');
}

export const service: ResourceDefinition = {
  group: '',
  kind: 'Service',
  resource: 'services',
  singular: 'service',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  versions: [{ version: 'v1' }],
  subresources: { status: true },
  nameValidation: 'label',
  selectableFields: {
    'spec.clusterIP': (obj) => stringAt(recordAt(obj, 'spec'), 'clusterIP') ?? '',
    'spec.type': (obj) => stringAt(recordAt(obj, 'spec'), 'type') ?? '',
  },

  defaults: defaultService,

  validate(obj) {
    return [...validateService(obj), ...takeAllocationErrors(obj)];
  },

  validateUpdate: validateServiceUpdate,

  prepareForCreate(obj: KubeObject, ctx: StrategyContext) {
    // An invalid service is refused right after this hook; allocating for it would only leak.
    if (validateService(obj).length > 0) return;
    allocateForCreate(obj, ctx);
  },

  prepareForUpdate(obj: KubeObject, old: KubeObject, ctx: StrategyContext) {
    const spec = recordAt(obj, 'spec');
    const oldSpec = recordAt(old, 'spec');
    if (!spec || !oldSpec) return;
    keepAllocatedValues(spec, oldSpec);
    dropTypeDependentFields(spec, oldSpec);
    if (validateService(obj).length > 0 || validateServiceUpdate(obj, old).length > 0) return;
    allocateForUpdate(obj, old, ctx);
  },

  afterDelete: releaseAll,

  table: {
    columns: [
      nameColumn,
      { name: 'Type', type: 'string', description: 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.', priority: 0 },
      { name: 'Cluster-IP', type: 'string', description: 'The virtual IP of the service inside the cluster.', priority: 0 },
      { name: 'External-IP', type: 'string', description: 'Addresses the service is reachable on from outside the cluster.', priority: 0 },
      { name: 'Port(s)', type: 'string', description: 'The ports the service exposes, with node ports.', priority: 0 },
      ageColumn,
      { name: 'Selector', type: 'string', description: 'The pod labels the service routes traffic to.', priority: 1 },
    ],
    cells(obj, now) {
      const spec = recordAt(obj, 'spec');
      const clusterIP = stringAt(spec, 'clusterIP') || '<none>';
      return [nameOf(obj), stringAt(spec, 'type') ?? '', clusterIP, externalIP(obj), portsCell(spec), ageOf(obj, now), formatSelector(recordAt(spec, 'selector'))];
    },
  },
};
