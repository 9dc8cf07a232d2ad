// The pod table's columns agree with what `kubectl get pods` prints for the same pod.
import type { Pod } from 'kubernetes-types/core/v1';
import { describe, expect, it } from 'vitest';
import { formatAge } from '../../../src-renderer/lib/age.ts';
import { podRow, podStatus } from '../../../src-renderer/lib/pod-status.ts';

const base = (status: Pod['status'], extra: Partial<Pod> = {}): Pod => ({
  metadata: { namespace: 'default', name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'node-1' },
  status,
  ...extra,
});

describe('pod rows', () => {
  it('counts ready containers and restarts, and shows the node', () => {
    const row = podRow(base({
      phase: 'Running',
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 2, image: '', imageID: '', state: { running: {} } },
        { name: 'b', ready: false, restartCount: 1, image: '', imageID: '', state: { running: {} } },
      ],
    }));
    expect(row).toMatchObject({ key: 'default/web', ready: '1/2', restarts: 3, node: 'node-1', status: 'Running' });
  });

  it('shows the most telling reason, as kubectl does', () => {
    expect(podStatus(base({ phase: 'Pending' }))).toBe('Pending');
    expect(podStatus(base({
      phase: 'Pending',
      containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: '', imageID: '', state: { waiting: { reason: 'ImagePullBackOff' } } }],
    }))).toBe('ImagePullBackOff');
    expect(podStatus(base({
      phase: 'Running',
      containerStatuses: [{ name: 'a', ready: false, restartCount: 5, image: '', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    }))).toBe('CrashLoopBackOff');
    expect(podStatus(base({
      phase: 'Pending',
      initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, image: '', imageID: '', state: { running: {} } }],
    }, { spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'init' }] } }))).toBe('Init:0/1');
    expect(podStatus(base({
      phase: 'Failed',
      containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 137 } } }],
    }))).toBe('ExitCode:137');
    expect(podStatus(base({ phase: 'Running' }, { metadata: { name: 'x', deletionTimestamp: '2026-01-01T00:00:00Z' } }))).toBe('Terminating');
  });

  it('prints ages like kubectl', () => {
    const s = 1000;
    expect([45 * s, 5 * 60 * s + 3 * s, 95 * 60 * s, (3 * 60 + 20) * 60 * s, 30 * 3600 * s, (3 * 24 + 4) * 3600 * s, 120 * 86400 * s].map(formatAge))
      .toEqual(['45s', '5m3s', '95m', '3h20m', '30h', '3d4h', '120d']);
    expect(formatAge(-5)).toBe('0s');
  });
});
