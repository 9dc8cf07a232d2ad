import { describe, expect, it } from 'vitest';
import { replicaSet } from '../../../../src-main/api/resources/replicaset.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, examplesOfKind, fields, messages, update } from './workload-helpers.ts';

const basic = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'frontend' },
  spec: {
    selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'web'] }], matchLabels: { app: 'guestbook' } },
    template: { metadata: { labels: { app: 'guestbook', tier: 'frontend' } }, spec: { containers: [{ name: 'php-redis', image: 'gcr.io/google_samples/gb-frontend:v3' }] } },
  },
});

describe('ReplicaSet examples from the Kubernetes docs', () => {
  const examples = examplesOfKind('ReplicaSet');
  it('finds the replicaset examples', () => expect(examples.length).toBeGreaterThanOrEqual(1));
  for (const { file, obj } of examples) {
    it(`${file} (${obj.metadata.name}) is valid and defaulted`, async () => {
      const { obj: stored, errors } = await create(replicaSet, obj);
      expect(messages(errors)).toEqual([]);
      expect((stored.spec as any).template.spec.restartPolicy).toBe('Always');
    });
  }
});

describe('ReplicaSet', () => {
  it('defaults replicas to 1', async () => {
    expect(((await create(replicaSet, basic())).obj.spec as any).replicas).toBe(1);
  });

  it('requires the selector to match the template', async () => {
    const rs = basic();
    (rs.spec as any).template.metadata.labels.tier = 'backend';
    expect(fields((await create(replicaSet, rs)).errors)).toEqual(['spec.template.metadata.labels']);
  });

  it('forbids activeDeadlineSeconds in the template', async () => {
    const rs = basic();
    (rs.spec as any).template.spec.activeDeadlineSeconds = 30;
    expect(messages((await create(replicaSet, rs)).errors)).toEqual([
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    ]);
  });

  it('keeps the selector immutable', async () => {
    const { obj: old } = await create(replicaSet, basic());
    const changed = structuredClone(old);
    (changed.spec as any).selector.matchLabels = { app: 'guestbook', v: '2' };
    (changed.spec as any).template.metadata.labels.v = '2';
    expect(fields((await update(replicaSet, changed, old)).errors)).toEqual(['spec.selector']);
  });

  it('prints DESIRED CURRENT READY and a selector with expressions', async () => {
    const { obj } = await create(replicaSet, basic());
    obj.status = { replicas: 1, readyReplicas: 1 };
    expect(replicaSet.table!.cells(obj, new Date('2024-01-01T02:00:00Z'))).toEqual([
      'frontend',
      1,
      1,
      1,
      '120m',
      'php-redis',
      'gcr.io/google_samples/gb-frontend:v3',
      'app=guestbook,tier in (frontend,web)',
    ]);
  });
});
