import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { node } from '../../../../src-main/api/resources/node.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, fields, update } from './nonworkload-helpers.ts';

const now = new Date('2026-01-02T00:00:00Z');

describe('Node', () => {
  it('is cluster-scoped and mirrors podCIDR into podCIDRs', async () => {
    const { obj, errors } = await create(node, { metadata: { name: 'worker-1' }, spec: { podCIDR: '10.42.1.0/24' } });
    expect(errors).toEqual([]);
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.spec).toMatchObject({ podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'] });
  });

  it('validates pod CIDRs and taints', async () => {
    const { errors } = await create(node, {
      metadata: { name: 'n' },
      spec: {
        podCIDRs: ['10.42.1.0/33'],
        taints: [{ key: 'bad key', effect: 'NoSchedule' }, { key: 'a', effect: 'Sometimes' }, { key: 'b', effect: 'NoExecute' }, { key: 'b', effect: 'NoExecute' }, { effect: 'NoSchedule' }],
      },
    });
    expect(fields(errors)).toEqual(['spec.podCIDRs[0]', 'spec.taints[0].key', 'spec.taints[1].effect', 'spec.taints[3]', 'spec.taints[4].key']);
    expect(formatFieldError(errors[2])).toBe('spec.taints[1].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"');
  });

  it('lets podCIDRs be set once', async () => {
    const { obj: old } = await create(node, { metadata: { name: 'n' } });
    const first = await update(node, { metadata: { name: 'n' }, spec: { podCIDRs: ['10.42.0.0/24'] } }, old);
    expect(first.errors).toEqual([]);
    const second = await update(node, { metadata: { name: 'n' }, spec: { podCIDRs: ['10.42.9.0/24'] } }, first.obj);
    expect(second.errors.map(formatFieldError)).toEqual(['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
  });

  it('selects by spec.unschedulable', () => {
    const cordoned: KubeObject = { metadata: { name: 'n' }, spec: { unschedulable: true } };
    expect(node.selectableFields?.['spec.unschedulable'](cordoned)).toBe('true');
    expect(node.selectableFields?.['spec.unschedulable']({ metadata: { name: 'n' } })).toBe('false');
  });

  it('prints STATUS from Ready, ROLES from labels and the wide columns', () => {
    const n: KubeObject = {
      metadata: { name: 'cp', creationTimestamp: '2026-01-01T00:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.1.5' }, { type: 'Hostname', address: 'cp' }],
        nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'runc://1.1.5' },
      },
    };
    expect(node.table?.columns.map((c) => c.name)).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
    expect(node.table?.cells(n, now)).toEqual(['cp', 'Ready,SchedulingDisabled', 'control-plane,master', '24h', 'v1.31.0', '192.168.1.5', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'runc://1.1.5']);
    const notReady: KubeObject = { metadata: { name: 'w' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
    expect(node.table?.cells(notReady, now).slice(1, 3)).toEqual(['NotReady', '<none>']);
    expect(node.table?.cells({ metadata: { name: 'w' } }, now)[1]).toBe('Unknown');
  });
});
