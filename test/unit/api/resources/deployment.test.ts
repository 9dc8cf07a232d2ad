import { describe, expect, it } from 'vitest';
import { deployment } from '../../../../src-main/api/resources/deployment.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, examplesOfKind, fields, messages, update } from './workload-helpers.ts';

const basic = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx-deployment', labels: { app: 'nginx' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'nginx' } },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] } },
  },
});

describe('Deployment examples from the Kubernetes docs', () => {
  const examples = examplesOfKind('Deployment');
  it('finds the deployment examples', () => expect(examples.length).toBeGreaterThanOrEqual(15));
  for (const { file, obj } of examples) {
    it(`${file} (${obj.metadata.name}) is valid and defaulted`, async () => {
      const { obj: stored, errors } = await create(deployment, obj);
      expect(messages(errors)).toEqual([]);
      const spec = stored.spec as any;
      expect(spec.replicas).toEqual(expect.any(Number));
      expect(spec.strategy.type).toMatch(/^(RollingUpdate|Recreate)$/);
      expect(spec.revisionHistoryLimit).toBe(10);
      expect(spec.progressDeadlineSeconds).toBe(600);
      expect(spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30, securityContext: {} });
      // Admission defaults belong to pods, not to templates.
      expect(spec.template.spec.serviceAccountName).toBeUndefined();
      expect(spec.template.spec.enableServiceLinks).toBeUndefined();
      expect(stored.metadata.generation).toBe(1);
    });
  }
});

describe('Deployment defaults', () => {
  it('matches what kubectl get -o yaml shows for a minimal deployment', async () => {
    const d = basic();
    delete (d.spec as any).replicas;
    const spec = (await create(deployment, d)).obj.spec as any;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(spec.template.spec.containers[0]).toEqual({
      name: 'nginx',
      image: 'nginx:1.14.2',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      imagePullPolicy: 'IfNotPresent',
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
  });

  it('leaves rollingUpdate out of a Recreate strategy', async () => {
    const d = basic();
    (d.spec as any).strategy = { type: 'Recreate' };
    const { obj, errors } = await create(deployment, d);
    expect(errors).toEqual([]);
    expect((obj.spec as any).strategy).toEqual({ type: 'Recreate' });
  });
});

describe('Deployment validation', () => {
  const invalid = async (mutate: (spec: any) => void) => {
    const d = basic();
    mutate(d.spec);
    return (await create(deployment, d)).errors;
  };

  it('requires an image with the template path', async () => {
    expect(messages(await invalid((s) => delete s.template.spec.containers[0].image))).toEqual(['spec.template.spec.containers[0].image: Required value']);
  });

  it('requires a selector that matches the template labels', async () => {
    expect(messages(await invalid((s) => delete s.selector))).toEqual(['spec.selector: Required value']);
    const errs = await invalid((s) => (s.template.metadata.labels = { app: 'web' }));
    expect(errs).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', value: { app: 'web' }, detail: '`selector` does not match template `labels`' },
    ]);
    expect(fields(await invalid((s) => (s.selector = {})))).toEqual(['spec.selector']);
  });

  it('checks selector expressions', async () => {
    const errs = await invalid((s) => (s.selector = { matchExpressions: [{ key: 'app', operator: 'Near', values: ['x'] }, { key: 'tier', operator: 'In' }] }));
    expect(messages(errs)).toEqual([
      'spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
      "spec.selector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ]);
  });

  it('refuses a template restartPolicy other than Always', async () => {
    expect(messages(await invalid((s) => (s.template.spec.restartPolicy = 'OnFailure')))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ]);
  });

  it('checks replicas and the rolling update parameters', async () => {
    expect(messages(await invalid((s) => (s.replicas = -1)))).toEqual(['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
    expect(messages(await invalid((s) => (s.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } })))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ]);
    expect(fields(await invalid((s) => (s.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } })))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable',
    ]);
    expect(fields(await invalid((s) => (s.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } })))).toEqual(['spec.strategy.rollingUpdate']);
    expect(fields(await invalid((s) => (s.strategy = { type: 'BlueGreen' })))).toEqual(['spec.strategy']);
    expect(fields(await invalid((s) => (s.progressDeadlineSeconds = 5) && (s.minReadySeconds = 10)))).toEqual(['spec.progressDeadlineSeconds']);
  });
});

describe('Deployment updates', () => {
  it('refuses a changed selector and accepts a changed image', async () => {
    const { obj: old } = await create(deployment, basic());
    const changed = structuredClone(old);
    (changed.spec as any).selector = { matchLabels: { app: 'nginx', tier: 'web' } };
    (changed.spec as any).template.metadata.labels.tier = 'web';
    expect(messages((await update(deployment, changed, old)).errors)).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"nginx","tier":"web"}}: field is immutable',
    ]);
    const image = structuredClone(old);
    (image.spec as any).template.spec.containers[0].image = 'nginx:1.16.1';
    expect((await update(deployment, image, old)).errors).toEqual([]);
  });
});

describe('Deployment table', () => {
  it('shows READY UP-TO-DATE AVAILABLE AGE and the wide columns', async () => {
    const { obj } = await create(deployment, basic());
    obj.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    expect(deployment.table!.columns.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1],
    ]);
    expect(deployment.table!.cells(obj, new Date('2024-01-01T00:03:10Z'))).toEqual(['nginx-deployment', '2/3', 3, 2, '3m10s', 'nginx', 'nginx:1.14.2', 'app=nginx']);
  });
});
