// Service validation, after pkg/apis/core/validation (ValidateService, validateServicePort,
// validateUpgradeDowngradeClusterIPs). Kept apart from service.ts so each file stays one concept.
import { isIP } from 'node:net';
import { FieldPath, duplicate, forbidden, invalid, notSupported, required, type FieldError } from '../field-errors.ts';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from '../validation/names.ts';
import { validateLabels, validateObjectMeta, type NameValidator } from '../validation/object-meta.ts';
import { arrayAt, isRecord, recordAt } from './shared-meta.ts';
import type { KubeObject } from './types.ts';

export const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const protocols = ['SCTP', 'TCP', 'UDP'];
const ipMessage = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** Service names are DNS-1035 labels: they become DNS names and environment variable names. */
export const nameIsDNS1035Label: NameValidator = (name, prefix) =>
  isDNS1035Label(prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name);

export const isHeadless = (spec: Record<string, unknown> | undefined): boolean => spec?.clusterIP === 'None';

/** Services that get node ports: NodePort, and LoadBalancer unless node ports are turned off. */
export function needsNodePorts(spec: Record<string, unknown> | undefined): boolean {
  if (spec?.type === 'NodePort') return true;
  return spec?.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false;
}

export const needsClusterIP = (spec: Record<string, unknown> | undefined): boolean => spec?.type !== 'ExternalName';

function validatePortNumOrName(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value === 'number') return isValidPortNum(value).map((m) => invalid(path, value, m));
  if (typeof value === 'string') return isValidPortName(value).map((m) => invalid(path, value, m));
  return [invalid(path, value, 'must be an integer or a string')];
}

function validatePorts(spec: Record<string, unknown>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const ports = arrayAt(spec, 'ports');
  const names = new Set<string>();
  const seen = new Set<string>();
  const seenNodePorts = new Set<string>();
  ports.forEach((raw, i) => {
    const p = path.index(i);
    if (!isRecord(raw)) {
      errs.push(invalid(p, raw, 'must be an object'));
      return;
    }
    const name = raw.name;
    if (ports.length > 1 && !name) errs.push(required(p.child('name')));
    else if (typeof name === 'string' && name) {
      errs.push(...isDNS1123Label(name).map((m) => invalid(p.child('name'), name, m)));
      if (names.has(name)) errs.push(duplicate(p.child('name'), name));
      names.add(name);
    }
    const port = raw.port;
    if (typeof port !== 'number') errs.push(port === undefined ? required(p.child('port')) : invalid(p.child('port'), port, 'must be an integer'));
    else errs.push(...isValidPortNum(port).map((m) => invalid(p.child('port'), port, m)));
    if (!raw.protocol) errs.push(required(p.child('protocol')));
    else if (!protocols.includes(String(raw.protocol))) errs.push(notSupported(p.child('protocol'), raw.protocol, protocols));
    if (raw.targetPort !== undefined) errs.push(...validatePortNumOrName(raw.targetPort, p.child('targetPort')));
    const key = `${String(raw.protocol)}/${String(port)}`;
    if (seen.has(key)) errs.push(duplicate(p, { port, protocol: raw.protocol }));
    seen.add(key);
    const nodePort = raw.nodePort;
    if (nodePort !== undefined && nodePort !== 0) {
      if (spec.type === 'ClusterIP') errs.push(forbidden(p.child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
      else if (typeof nodePort !== 'number') errs.push(invalid(p.child('nodePort'), nodePort, 'must be an integer'));
      else {
        errs.push(...isValidPortNum(nodePort).map((m) => invalid(p.child('nodePort'), nodePort, m)));
        const npKey = `${String(raw.protocol)}/${nodePort}`;
        if (seenNodePorts.has(npKey)) errs.push(duplicate(p.child('nodePort'), nodePort));
        seenNodePorts.add(npKey);
      }
    }
  });
  return errs;
}

function validateClusterIPs(spec: Record<string, unknown>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const ips = spec.clusterIPs;
  if (ips !== undefined && !Array.isArray(ips)) return [invalid(path.child('clusterIPs'), ips, 'must be a list of IP addresses')];
  const list = (ips ?? []) as unknown[];
  if (spec.clusterIP && list.length > 0 && list[0] !== spec.clusterIP) {
    errs.push(invalid(path.child('clusterIPs'), list, 'first value must match `clusterIP`'));
  }
  if (list.length > 2) errs.push(invalid(path.child('clusterIPs'), list, 'may only hold up to 2 values'));
  list.forEach((ip, i) => {
    if (ip === 'None') {
      if (list.length > 1) errs.push(invalid(path.child('clusterIPs').index(i), ip, 'must not have multiple values when the first is None'));
    } else if (typeof ip !== 'string' || isIP(ip) === 0) errs.push(invalid(path.child('clusterIPs').index(i), ip, ipMessage));
    else if (isIP(ip) === 6) errs.push(invalid(path.child('clusterIPs').index(i), ip, 'IPv6 is not configured on this cluster'));
  });
  return errs;
}

function validateIPFamilies(spec: Record<string, unknown>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(String(policy))) {
    errs.push(notSupported(path.child('ipFamilyPolicy'), policy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  const families = arrayAt(spec, 'ipFamilies');
  families.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(path.child('ipFamilies').index(i), f, ['IPv4', 'IPv6']));
    else if (f === 'IPv6') errs.push(invalid(path.child('ipFamilies').index(i), f, 'not configured on this cluster'));
  });
  if (policy === 'SingleStack' && families.length > 1) errs.push(invalid(path.child('ipFamilies'), families, 'when spec.ipFamilyPolicy is SingleStack, only one IP family may be specified'));
  return errs;
}

function validateSessionAffinity(spec: Record<string, unknown>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const affinity = spec.sessionAffinity;
  if (!affinity) errs.push(required(path.child('sessionAffinity')));
  else if (affinity !== 'None' && affinity !== 'ClientIP') errs.push(notSupported(path.child('sessionAffinity'), affinity, ['ClientIP', 'None']));
  const config = recordAt(spec, 'sessionAffinityConfig');
  if (affinity === 'None' && config) errs.push(forbidden(path.child('sessionAffinityConfig'), `must not be set when session affinity is None`));
  if (affinity === 'ClientIP') {
    const timeoutPath = path.child('sessionAffinityConfig').child('clientIP').child('timeoutSeconds');
    const timeout = recordAt(config, 'clientIP')?.timeoutSeconds;
    if (timeout === undefined) errs.push(required(timeoutPath));
    else if (typeof timeout !== 'number' || timeout <= 0 || timeout > 86400) errs.push(invalid(timeoutPath, timeout, 'must be greater than 0 and less than 86400'));
  }
  return errs;
}

function validateTrafficPolicies(spec: Record<string, unknown>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const etp = spec.externalTrafficPolicy;
  if (external) {
    if (!etp) errs.push(required(path.child('externalTrafficPolicy')));
    else if (etp !== 'Cluster' && etp !== 'Local') errs.push(notSupported(path.child('externalTrafficPolicy'), etp, ['Cluster', 'Local']));
  } else if (etp && arrayAt(spec, 'externalIPs').length === 0) {
    errs.push(invalid(path.child('externalTrafficPolicy'), etp, 'may only be set for externally-accessible services'));
  }
  if (spec.type !== 'ExternalName') {
    const itp = spec.internalTrafficPolicy;
    if (!itp) errs.push(required(path.child('internalTrafficPolicy')));
    else if (itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported(path.child('internalTrafficPolicy'), itp, ['Cluster', 'Local']));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.type !== 'LoadBalancer') {
    errs.push(forbidden(path.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  const hc = spec.healthCheckNodePort;
  if (hc !== undefined && hc !== 0 && !(spec.type === 'LoadBalancer' && etp === 'Local')) {
    errs.push(invalid(path.child('healthCheckNodePort'), hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) errs.push(required(path.child('allocateLoadBalancerNodePorts')));
  return errs;
}

export function validateService(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true, nameIsDNS1035Label);
  const path = FieldPath.root('spec');
  if (!isRecord(obj.spec)) return [...errs, required(path)];
  const spec = obj.spec;
  const type = spec.type;
  if (!type) errs.push(required(path.child('type')));
  else if (!(serviceTypes as readonly string[]).includes(String(type))) errs.push(notSupported(path.child('type'), type, serviceTypes));

  const ports = arrayAt(spec, 'ports');
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName') errs.push(required(path.child('ports')));
  errs.push(...validatePorts(spec, path.child('ports')));

  if (type === 'ExternalName') {
    if (arrayAt(spec, 'clusterIPs').length > 0 || spec.clusterIP) errs.push(forbidden(path.child('clusterIPs'), 'may not be set for ExternalName services'));
    if (arrayAt(spec, 'ipFamilies').length > 0) errs.push(forbidden(path.child('ipFamilies'), 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined) errs.push(forbidden(path.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
    const cname = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : '';
    if (!cname) errs.push(required(path.child('externalName')));
    else errs.push(...isDNS1123Subdomain(cname).map((m) => invalid(path.child('externalName'), cname, m)));
  } else {
    errs.push(...validateClusterIPs(spec, path));
    errs.push(...validateIPFamilies(spec, path));
  }
  errs.push(...validateLabels(spec.selector, path.child('selector')));
  errs.push(...validateSessionAffinity(spec, path));
  errs.push(...validateTrafficPolicies(spec, path));
  arrayAt(spec, 'externalIPs').forEach((ip, i) => {
    if (typeof ip !== 'string' || isIP(ip) === 0) errs.push(invalid(path.child('externalIPs').index(i), ip, ipMessage));
  });
  return errs;
}

/** Cluster IPs may be added or dropped at the end, never changed (validateUpgradeDowngradeClusterIPs). */
export function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = recordAt(obj, 'spec');
  const oldSpec = recordAt(old, 'spec');
  if (spec?.type === 'ExternalName' || oldSpec?.type === 'ExternalName') return [];
  if (isHeadless(spec) && isHeadless(oldSpec)) return [];
  const ips = arrayAt(spec, 'clusterIPs');
  const oldIPs = arrayAt(oldSpec, 'clusterIPs');
  const path = FieldPath.root('spec').child('clusterIPs');
  if (ips.length === 0 && oldIPs.length > 0) return [invalid(path.index(0), ips, 'primary clusterIP can not be unset')];
  const errs: FieldError[] = [];
  for (let i = 0; i < Math.min(ips.length, oldIPs.length); i++) {
    if (ips[i] !== oldIPs[i]) errs.push(invalid(path.index(i), ips, 'may not change once set'));
  }
  return errs;
}
