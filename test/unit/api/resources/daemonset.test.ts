import { describe, expect, it } from 'vitest';
import { daemonSet } from '../../../../src-main/api/resources/daemonset.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, examplesOfKind, fields, messages, update } from './workload-helpers.ts';

const agent = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'log-agent', namespace: 'kube-system' },
  spec: {
    selector: { matchLabels: { name: 'log-agent' } },
    template: { metadata: { labels: { name: 'log-agent' } }, spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'agent', image: 'fluentd:v1' }] } },
  },
});

describe('DaemonSet examples from the Kubernetes docs', () => {
  const examples = examplesOfKind('DaemonSet');
  it('finds the daemonset examples', () => expect(examples.length).toBeGreaterThanOrEqual(1));
  for (const { file, obj } of examples) {
    it(`${file} (${obj.metadata.name}) is valid and defaulted`, async () => {
      const { obj: stored, errors } = await create(daemonSet, obj);
      expect(messages(errors)).toEqual([]);
      expect((stored.spec as any).updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      expect((stored.spec as any).revisionHistoryLimit).toBe(10);
    });
  }
});

describe('DaemonSet', () => {
  const invalid = async (mutate: (spec: any) => void) => {
    const d = agent();
    mutate(d.spec);
    return (await create(daemonSet, d)).errors;
  };

  it('checks selector, template and update strategy', async () => {
    expect(fields(await invalid((s) => (s.template.metadata.labels = { name: 'other' })))).toEqual(['spec.template.metadata.labels']);
    expect(messages(await invalid((s) => (s.selector = {})))).toEqual(['spec.selector: Invalid value: {}: empty selector is invalid for daemonset']);
    expect(fields(await invalid((s) => (s.updateStrategy = { type: 'Rolling' })))).toEqual(['spec.updateStrategy']);
    expect(fields(await invalid((s) => (s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } })))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxSurge',
    ]);
    expect(await invalid((s) => (s.updateStrategy = { type: 'OnDelete' }))).toEqual([]);
  });

  it('keeps the selector immutable', async () => {
    const { obj: old } = await create(daemonSet, agent());
    const changed = structuredClone(old);
    (changed.spec as any).selector = { matchLabels: { name: 'log-agent', v: '2' } };
    (changed.spec as any).template.metadata.labels.v = '2';
    expect(fields((await update(daemonSet, changed, old)).errors)).toEqual(['spec.selector']);
  });

  it('prints the node selector column', async () => {
    const { obj } = await create(daemonSet, agent());
    obj.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 };
    expect(daemonSet.table!.cells(obj, new Date('2024-01-03T00:00:00Z'))).toEqual([
      'log-agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '2d', 'agent', 'fluentd:v1', 'name=log-agent',
    ]);
  });
});
