// v1 Node: cluster-scoped; pod CIDRs set once, taints with a qualified key and a known effect;
// the `kubectl get nodes` table (STATUS from the Ready condition, ROLES from node-role labels).
import { isIP } from 'node:net';
import { FieldPath, duplicate, forbidden, invalid, notSupported, required, type FieldError } from '../field-errors.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { ageColumn, ageOf, arrayAt, deepEqual, isRecord, nameColumn, nameOf, recordAt, stringAt } from './shared-meta.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';
import { cloneJSON } from '../../util/clone-json.ts';

export const taintEffects = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

/** A CIDR as netutils.ParseCIDRSloppy accepts: an IP and a prefix length that fits it. */
export function isCIDR(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const [ip, bits, extra] = value.split('/');
  if (extra !== undefined || bits === undefined || !/^[0-9]{1,3}$/.test(bits)) return false;
  const family = isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

export function validateTaints(taints: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const p = path.index(i);
    if (!isRecord(t)) {
      errs.push(invalid(p, t, 'must be an object'));
      return;
    }
    const key = typeof t.key === 'string' ? t.key : '';
    if (!key) errs.push(required(p.child('key')));
    else errs.push(...isQualifiedName(key).map((m) => invalid(p.child('key'), key, m)));
    if (t.value !== undefined) errs.push(...isValidLabelValue(String(t.value)).map((m) => invalid(p.child('value'), t.value, m)));
    if (!t.effect) errs.push(required(p.child('effect')));
    else if (!taintEffects.includes(String(t.effect))) errs.push(notSupported(p.child('effect'), t.effect, taintEffects));
    const pair = `${key}\u0000${String(t.effect)}`;
    if (seen.has(pair)) errs.push({ ...duplicate(p, { key, effect: t.effect }), detail: 'taints must be unique by key and effect pair' });
    seen.add(pair);
  });
  return errs;
}

function validatePodCIDRs(spec: Record<string, unknown>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const cidrs = arrayAt(spec, 'podCIDRs');
  cidrs.forEach((c, i) => {
    if (!isCIDR(c)) errs.push(invalid(path.child('podCIDRs').index(i), c, 'must be a valid CIDR'));
  });
  if (cidrs.length > 2) errs.push(invalid(path.child('podCIDRs'), cidrs, 'may specify no more than one CIDR for each IP family'));
  else if (cidrs.length === 2 && cidrs.every(isCIDR) && isIP(String(cidrs[0]).split('/')[0]) === isIP(String(cidrs[1]).split('/')[0])) {
    errs.push(invalid(path.child('podCIDRs'), cidrs, 'may specify no more than one CIDR for each IP family'));
  }
  // podCIDR mirrors podCIDRs[0]; it is only checked on its own when it does not.
  if (spec.podCIDR !== undefined && spec.podCIDR !== '' && spec.podCIDR !== cidrs[0] && !isCIDR(spec.podCIDR)) errs.push(invalid(path.child('podCIDR'), spec.podCIDR, 'must be a valid CIDR'));
  return errs;
}

// ---- table (printNode) ----

function statusCell(obj: KubeObject): string {
  const ready = arrayAt(recordAt(obj, 'status'), 'conditions').find((c) => stringAt(c, 'type') === 'Ready');
  const parts = [ready ? (stringAt(ready, 'status') === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (recordAt(obj, 'spec')?.unschedulable === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

const rolePrefix = 'node-role.kubernetes.io/';

/** Roles from node-role.kubernetes.io/<role> label keys and the older kubernetes.io/role value. */
export function nodeRoles(obj: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(obj.metadata?.labels ?? {})) {
    if (k.startsWith(rolePrefix) && k.length > rolePrefix.length) roles.add(k.slice(rolePrefix.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(String(v));
  }
  return [...roles].sort();
}

function address(obj: KubeObject, type: string): string {
  const a = arrayAt(recordAt(obj, 'status'), 'addresses').find((x) => stringAt(x, 'type') === type);
  return stringAt(a, 'address') || '<none>';
}

export const node: ResourceDefinition = {
  group: '',
  kind: 'Node',
  resource: 'nodes',
  singular: 'node',
  shortNames: ['no'],
  namespaced: false,
  versions: [{ version: 'v1' }],
  subresources: { status: true },
  selectableFields: {
    'spec.unschedulable': (obj) => String(recordAt(obj, 'spec')?.unschedulable === true),
  },

  defaults(obj) {
    const spec = isRecord(obj.spec) ? obj.spec : (obj.spec = {});
    // podCIDR mirrors podCIDRs[0] (the v1 conversion keeps the two in step).
    const cidrs = arrayAt(spec, 'podCIDRs');
    if (spec.podCIDR && cidrs.length === 0) spec.podCIDRs = [spec.podCIDR];
    else if (!spec.podCIDR && typeof cidrs[0] === 'string') spec.podCIDR = cidrs[0];
    // Allocatable defaults to capacity (SetDefaults_NodeStatus).
    const status = recordAt(obj, 'status');
    if (status && isRecord(status.capacity) && status.allocatable === undefined) status.allocatable = cloneJSON(status.capacity);
  },

  validate(obj) {
    const errs = validateObjectMeta(obj.metadata, false, nameIsDNSSubdomain);
    const path = FieldPath.root('spec');
    const spec = recordAt(obj, 'spec') ?? {};
    errs.push(...validatePodCIDRs(spec, path));
    errs.push(...validateTaints(arrayAt(spec, 'taints'), path.child('taints')));
    if (spec.unschedulable !== undefined && typeof spec.unschedulable !== 'boolean') errs.push(invalid(path.child('unschedulable'), spec.unschedulable, 'must be a boolean'));
    const podCIDRs = arrayAt(spec, 'podCIDRs');
    if (spec.podCIDR && podCIDRs.length > 0 && podCIDRs[0] !== spec.podCIDR) errs.push(invalid(path.child('podCIDR'), spec.podCIDR, 'must match the first entry of spec.podCIDRs'));
    return errs;
  },

  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    const spec = recordAt(obj, 'spec') ?? {};
    const oldSpec = recordAt(old, 'spec') ?? {};
    const oldCIDRs = arrayAt(oldSpec, 'podCIDRs');
    if (oldCIDRs.length > 0 && !deepEqual(arrayAt(spec, 'podCIDRs'), oldCIDRs)) {
      errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    }
    if (oldSpec.providerID && spec.providerID !== oldSpec.providerID) {
      errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    }
    return errs;
  },

  table: {
    columns: [
      nameColumn,
      { name: 'Status', type: 'string', description: 'Ready, NotReady or Unknown from the Ready condition, and SchedulingDisabled when cordoned.', priority: 0 },
      { name: 'Roles', type: 'string', description: 'Roles from the node-role.kubernetes.io/* labels.', priority: 0 },
      ageColumn,
      { name: 'Version', type: 'string', description: 'The kubelet version the node reports.', priority: 0 },
      { name: 'Internal-IP', type: 'string', description: 'The node address of type InternalIP.', priority: 1 },
      { name: 'External-IP', type: 'string', description: 'The node address of type ExternalIP.', priority: 1 },
      { name: 'OS-Image', type: 'string', description: 'The OS image the node reports.', priority: 1 },
      { name: 'Kernel-Version', type: 'string', description: 'The kernel version the node reports.', priority: 1 },
      { name: 'Container-Runtime', type: 'string', description: 'The container runtime and its version.', priority: 1 },
    ],
    cells(obj, now) {
      const info = recordAt(recordAt(obj, 'status'), 'nodeInfo');
      const roles = nodeRoles(obj).join(',') || '<none>';
      const or = (k: string) => stringAt(info, k) || '<unknown>';
      return [
        nameOf(obj),
        statusCell(obj),
        roles,
        ageOf(obj, now),
        stringAt(info, 'kubeletVersion') ?? '',
        address(obj, 'InternalIP'),
        address(obj, 'ExternalIP'),
        or('osImage'),
        or('kernelVersion'),
        or('containerRuntimeVersion'),
      ];
    },
  },
};
