// coordination.k8s.io/v1 Lease: what leader election and node heartbeats write
// (pkg/apis/coordination/validation ValidateLeaseSpec).
import { FieldPath, invalid, type FieldError } from '../field-errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { ageColumn, ageOf, nameColumn, nameOf, recordAt, stringAt } from './shared-meta.ts';
import type { ResourceDefinition } from './types.ts';

const microTimeRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const lease: ResourceDefinition = {
  group: 'coordination.k8s.io',
  kind: 'Lease',
  resource: 'leases',
  singular: 'lease',
  namespaced: true,
  versions: [{ version: 'v1' }],

  validate(obj) {
    const errs: FieldError[] = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    const spec = recordAt(obj, 'spec') ?? {};
    const path = FieldPath.root('spec');
    const duration = spec.leaseDurationSeconds;
    if (duration !== undefined && duration !== null && (typeof duration !== 'number' || duration <= 0)) {
      errs.push(invalid(path.child('leaseDurationSeconds'), duration, 'must be greater than 0'));
    }
    const transitions = spec.leaseTransitions;
    if (transitions !== undefined && transitions !== null && (typeof transitions !== 'number' || transitions < 0)) {
      errs.push(invalid(path.child('leaseTransitions'), transitions, 'must be greater than or equal to 0'));
    }
    for (const t of ['acquireTime', 'renewTime']) {
      const v = spec[t];
      if (v !== undefined && v !== null && (typeof v !== 'string' || !microTimeRe.test(v))) errs.push(invalid(path.child(t), v, 'must be an RFC 3339 time'));
    }
    return errs;
  },

  table: {
    columns: [nameColumn, { name: 'Holder', type: 'string', description: 'The identity of the current holder of the lease.', priority: 0 }, ageColumn],
    cells: (obj, now) => [nameOf(obj), stringAt(recordAt(obj, 'spec'), 'holderIdentity') ?? '', ageOf(obj, now)],
  },
};
