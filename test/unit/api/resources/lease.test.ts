import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { lease } from '../../../../src-main/api/resources/lease.ts';
import { create } from './nonworkload-helpers.ts';

describe('Lease', () => {
  it('accepts a node heartbeat lease', async () => {
    const { errors } = await create(lease, {
      metadata: { name: 'worker-1', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'worker-1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.123456Z' },
    });
    expect(errors).toEqual([]);
  });

  it('refuses a non-positive duration and negative transitions', async () => {
    const { errors } = await create(lease, { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } });
    expect(errors.map(formatFieldError)).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('prints NAME HOLDER AGE', () => {
    const l = { metadata: { name: 'kube-scheduler', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { holderIdentity: 'kubelab_1' } };
    expect(lease.group).toBe('coordination.k8s.io');
    expect(lease.table?.cells(l, new Date('2026-01-01T03:00:00Z'))).toEqual(['kube-scheduler', 'kubelab_1', '3h']);
  });
});
