// discovery.k8s.io/v1 EndpointSlice: addresses of one type (IPv4, IPv6 or FQDN) with ports
// (pkg/apis/discovery/validation); the address type is fixed once created.
import { isIP } from 'node:net';
import { FieldPath, duplicate, invalid, notSupported, required, tooMany, type FieldError } from '../field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { ageColumn, ageOf, arrayAt, immutableField, isRecord, nameColumn, nameOf, stringAt } from './shared-meta.ts';
import { listWithMore, validateEndpointPort } from './shared-endpoints.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

export const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const maxEndpoints = 1000;
const maxAddresses = 100;
const maxPorts = 20000;

function validateAddress(address: unknown, addressType: unknown, path: FieldPath): FieldError[] {
  const text = typeof address === 'string' ? address : '';
  switch (addressType) {
    case 'IPv4':
      return isIP(text) === 4 ? [] : [invalid(path, address, 'must be a valid IPv4 address')];
    case 'IPv6':
      return isIP(text) === 6 ? [] : [invalid(path, address, 'must be a valid IPv6 address')];
    case 'FQDN': {
      const name = text.replace(/\.$/, '');
      if (!name.includes('.')) return [invalid(path, address, 'should be a domain with at least two segments separated by dots')];
      return isDNS1123Subdomain(name).map((m) => invalid(path, address, m));
    }
    default:
      return [];
  }
}

function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.root('endpoints');
  const list = arrayAt(obj, 'endpoints');
  if (list.length > maxEndpoints) errs.push(tooMany(path, list.length, maxEndpoints));
  list.forEach((ep, i) => {
    const p = path.index(i);
    if (!isRecord(ep)) {
      errs.push(invalid(p, ep, 'must be an object'));
      return;
    }
    const addresses = arrayAt(ep, 'addresses');
    if (addresses.length === 0) errs.push(required(p.child('addresses'), 'must contain at least 1 address'));
    else if (addresses.length > maxAddresses) errs.push(tooMany(p.child('addresses'), addresses.length, maxAddresses));
    addresses.forEach((a, j) => errs.push(...validateAddress(a, obj.addressType, p.child('addresses').index(j))));
    if (typeof ep.nodeName === 'string') errs.push(...isDNS1123Subdomain(ep.nodeName).map((m) => invalid(p.child('nodeName'), ep.nodeName, m)));
    if (typeof ep.hostname === 'string') errs.push(...isDNS1123Label(ep.hostname).map((m) => invalid(p.child('hostname'), ep.hostname, m)));
  });
  return errs;
}

function validatePorts(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.root('ports');
  const ports = arrayAt(obj, 'ports');
  if (ports.length > maxPorts) errs.push(tooMany(path, ports.length, maxPorts));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.index(i);
    if (!isRecord(port)) {
      errs.push(invalid(p, port, 'must be an object'));
      return;
    }
    // A slice's port may be unset (all ports) and its name may be empty even among several.
    errs.push(...validateEndpointPort(port, false, p, false));
    const name = typeof port.name === 'string' ? port.name : '';
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    names.add(name);
  });
  return errs;
}

export const endpointSlice: ResourceDefinition = {
  group: 'discovery.k8s.io',
  kind: 'EndpointSlice',
  resource: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  versions: [{ version: 'v1' }],

  defaults(obj) {
    for (const port of arrayAt(obj, 'ports')) {
      if (!isRecord(port)) continue;
      port.name ??= '';
      port.protocol ??= 'TCP';
    }
  },

  validate(obj) {
    const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    errs.push(...validateEndpoints(obj), ...validatePorts(obj));
    if (!obj.addressType) errs.push(required('addressType'));
    else if (!addressTypes.includes(String(obj.addressType))) errs.push(notSupported('addressType', obj.addressType, addressTypes));
    return errs;
  },

  validateUpdate: (obj, old) => immutableField(obj.addressType, old.addressType, 'addressType'),

  table: {
    columns: [
      nameColumn,
      { name: 'AddressType', type: 'string', description: 'The type of the addresses: IPv4, IPv6 or FQDN.', priority: 0 },
      { name: 'Ports', type: 'string', description: 'The ports of the slice.', priority: 0 },
      { name: 'Endpoints', type: 'string', description: 'The first addresses of the slice.', priority: 0 },
      ageColumn,
    ],
    cells(obj, now) {
      const ports = arrayAt(obj, 'ports').map((p) => (isRecord(p) && typeof p.port === 'number' ? String(p.port) : stringAt(p, 'name') || '*'));
      const addresses = arrayAt(obj, 'endpoints').flatMap((ep) => arrayAt(ep, 'addresses').map(String));
      return [nameOf(obj), stringAt(obj, 'addressType') ?? '', listWithMore(ports, ports.length) || '<unset>', listWithMore(addresses, addresses.length) || '<unset>', ageOf(obj, now)];
    },
  },
};
