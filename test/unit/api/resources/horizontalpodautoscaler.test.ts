import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { horizontalPodAutoscaler as hpa } from '../../../../src-main/api/resources/horizontalpodautoscaler.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, fields } from './nonworkload-helpers.ts';

const v1 = hpa.versions.find((v) => v.version === 'v1');
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

describe('HorizontalPodAutoscaler versions', () => {
  it('stores and prefers autoscaling/v2, also serves v1', () => {
    expect(hpa.group).toBe('autoscaling');
    expect(hpa.versions.map((v) => v.version)).toEqual(['v2', 'v1']);
    expect(hpa.shortNames).toEqual(['hpa']);
    expect(hpa.categories).toEqual(['all']);
  });

  it('turns v1 targetCPUUtilizationPercentage into a v2 CPU utilization metric and back', async () => {
    const { obj, errors } = await create(hpa, { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } });
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] });
    const back = v1?.fromStorage?.(obj);
    expect(back?.spec).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
    expect(back?.metadata.annotations).toBeUndefined();
  });

  it('keeps other metrics, behavior and status in upstream annotations through a v1 round trip', () => {
    const stored: KubeObject = {
      metadata: { name: 'web', annotations: { owner: 'me' } },
      spec: {
        scaleTargetRef: ref,
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1k' } } },
          { type: 'Object', object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' }, metric: { name: 'rps' }, target: { type: 'Value', value: '10k' } } },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] } },
      },
      status: {
        currentReplicas: 3,
        desiredReplicas: 4,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 70, averageValue: '140m' } } }],
        conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' }],
      },
    };
    const asV1 = v1?.fromStorage?.(structuredClone(stored)) as KubeObject;
    expect(asV1.spec).toEqual({ scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 60 });
    expect(asV1.status).toEqual({ currentReplicas: 3, desiredReplicas: 4, currentCPUUtilizationPercentage: 70 });
    const ann = asV1.metadata.annotations ?? {};
    expect(JSON.parse(ann['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '1k' } },
      { type: 'Object', object: { target: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' }, metricName: 'rps', targetValue: '10k' } },
    ]);
    expect(JSON.parse(ann['autoscaling.alpha.kubernetes.io/behavior'])).toEqual({ ScaleDown: { StabilizationWindowSeconds: 60, SelectPolicy: 'Max', Policies: [{ Type: 'Pods', Value: 1, PeriodSeconds: 30 }] } });
    expect(ann['autoscaling.alpha.kubernetes.io/current-metrics']).toBeDefined();
    expect(ann['autoscaling.alpha.kubernetes.io/conditions']).toBeDefined();
    expect(ann.owner).toBe('me');
    // Written back through v1 unchanged, the v2 object is whole again and the annotations gone.
    expect(v1?.toStorage?.(asV1)).toEqual(stored);
  });

  it('gives a v1 object without a CPU target the default 80% metric', () => {
    const out = v1?.toStorage?.({ metadata: { name: 'x' }, spec: { scaleTargetRef: ref, maxReplicas: 3 } });
    expect((out?.spec as Record<string, unknown>).metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  });
});

describe('HorizontalPodAutoscaler v2 defaults and validation', () => {
  it('defaults minReplicas, the CPU metric, and fills a given behavior', async () => {
    const { obj, errors } = await create(hpa, { metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } });
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({
      minReplicas: 1,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
        scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      },
    });
    const plain = await create(hpa, { metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 3 } });
    expect(plain.obj.spec).not.toHaveProperty('behavior');
  });

  it('checks replicas, the target reference and metrics', async () => {
    const { errors } = await create(hpa, {
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { name: 'web' },
        minReplicas: 5,
        maxReplicas: 2,
        metrics: [{ type: 'Resource' }, { type: 'Bogus' }, { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization' } } }],
      },
    });
    expect(fields(errors)).toEqual(['spec.maxReplicas', 'spec.scaleTargetRef.kind', 'spec.metrics[0].resource', 'spec.metrics[1].type', 'spec.metrics[2].resource.target.averageUtilization']);
    expect(formatFieldError(errors[0])).toBe('spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`');
  });

  it('prints NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE', async () => {
    const { obj } = await create(hpa, { metadata: { name: 'web' }, spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10 } });
    expect(hpa.table?.columns.map((c) => c.name)).toEqual(['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    const now = new Date('2026-01-01T00:00:18Z');
    expect(hpa.table?.cells(obj, now)).toEqual(['web', 'Deployment/web', 'cpu: <unknown>/80%', '2', 10, 0, '18s']);
    const withStatus = { ...obj, status: { currentReplicas: 4, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 35 } } }] } };
    expect(hpa.table?.cells(withStatus, now).slice(2, 6)).toEqual(['cpu: 35%/80%', '2', 10, 4]);
  });
});
