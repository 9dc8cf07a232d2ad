// v1 Endpoints: the addresses behind a Service, in subsets of addresses x ports
// (ValidateEndpoints); `kubectl get ep` lists the first three ip:port pairs.
import { FieldPath, invalid, required, type FieldError } from '../field-errors.ts';
import { isDNS1123Label } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { ageColumn, ageOf, arrayAt, isRecord, nameColumn, nameOf, stringAt } from './shared-meta.ts';
import { listWithMore, validateEndpointPort, validateIP } from './shared-endpoints.ts';
import { isDNS1123Subdomain } from '../validation/names.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

function validateAddress(addr: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(addr)) return [invalid(path, addr, 'must be an object')];
  const errs = validateIP(addr.ip, path.child('ip'));
  if (typeof addr.hostname === 'string' && addr.hostname) errs.push(...isDNS1123Label(addr.hostname).map((m) => invalid(path.child('hostname'), addr.hostname, m)));
  if (typeof addr.nodeName === 'string') errs.push(...isDNS1123Subdomain(addr.nodeName).map((m) => invalid(path.child('nodeName'), addr.nodeName, m)));
  return errs;
}

function validateSubsets(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.root('subsets');
  arrayAt(obj, 'subsets').forEach((ss, i) => {
    const p = path.index(i);
    const addresses = arrayAt(ss, 'addresses');
    const notReady = arrayAt(ss, 'notReadyAddresses');
    if (addresses.length === 0 && notReady.length === 0) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => errs.push(...validateAddress(a, p.child('addresses').index(j))));
    notReady.forEach((a, j) => errs.push(...validateAddress(a, p.child('notReadyAddresses').index(j))));
    const ports = arrayAt(ss, 'ports');
    ports.forEach((port, j) => {
      const pp = p.child('ports').index(j);
      if (!isRecord(port)) errs.push(invalid(pp, port, 'must be an object'));
      else errs.push(...validateEndpointPort(port, ports.length > 1, pp));
    });
  });
  return errs;
}

/** formatEndpoints: ip:port for each address and port (or the bare ip without ports). */
export function formatEndpoints(obj: KubeObject): string {
  const subsets = arrayAt(obj, 'subsets');
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let total = 0;
  for (const ss of subsets) {
    const ips = arrayAt(ss, 'addresses').map((a) => stringAt(a, 'ip') ?? '');
    const ports = arrayAt(ss, 'ports');
    if (ports.length === 0) {
      total += ips.length;
      list.push(...ips);
      continue;
    }
    for (const port of ports) {
      total += ips.length;
      const n = isRecord(port) ? String(port.port) : '';
      for (const ip of ips) list.push(ip.includes(':') ? `[${ip}]:${n}` : `${ip}:${n}`);
    }
  }
  return listWithMore(list, total);
}

export const endpoints: ResourceDefinition = {
  group: '',
  kind: 'Endpoints',
  resource: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  versions: [{ version: 'v1' }],

  defaults(obj) {
    for (const ss of arrayAt(obj, 'subsets')) for (const port of arrayAt(ss, 'ports')) if (isRecord(port)) port.protocol ||= 'TCP';
  },

  validate(obj) {
    return [...validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain), ...validateSubsets(obj)];
  },

  table: {
    columns: [nameColumn, { name: 'Endpoints', type: 'string', description: 'The first addresses and ports the endpoints list.', priority: 0 }, ageColumn],
    cells: (obj, now) => [nameOf(obj), formatEndpoints(obj), ageOf(obj, now)],
  },
};
