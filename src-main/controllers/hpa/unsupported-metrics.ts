// Pods and Object metrics come from a custom metrics API (custom.metrics.k8s.io), External ones
// from an external metrics API; Kubelab serves neither (a Prometheus adapter would). Such a
// metric fails the way it fails upstream in a cluster without the adapter: the same condition
// reasons, events and messages, so that users recognise what is missing.
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { MetricSpec } from 'kubernetes-types/autoscaling/v2';
import { MetricError, unableToCompute, type MetricContext } from './metric-context.ts';

const noCustomMetricsAPI = 'unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered';

/** A *metav1.LabelSelector printed with %+v (its generated String()). */
export function goLabelSelector(s: LabelSelector | undefined): string {
  if (!s) return 'nil';
  const labels = Object.keys(s.matchLabels ?? {}).sort().map((k) => `${k}: ${s.matchLabels![k]},`).join('');
  const exprs = (s.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

function podsMetric(ctx: MetricContext, spec: MetricSpec): MetricError {
  const name = spec.pods?.metric.name ?? '';
  const err = `unable to get metric ${name}: ${noCustomMetricsAPI}`;
  return new MetricError(`failed to get pods metric value: ${err}`, unableToCompute(ctx, 'FailedGetPodsMetric', err));
}

function objectMetric(ctx: MetricContext, spec: MetricSpec): MetricError {
  const o = spec.object;
  const name = o?.metric.name ?? '';
  const target = o?.target;
  if (target?.value === undefined && target?.averageValue === undefined) {
    const err = 'invalid object metric source: neither a value target nor an average value target was set';
    return new MetricError(`failed to get object metric value: ${err}`, unableToCompute(ctx, 'FailedGetObjectMetric', err));
  }
  // upstream's own odd order: the error comes after the object it is about
  const err = `unable to get metric ${name}: ${o?.describedObject.kind} on ${ctx.namespace} ${o?.describedObject.name}/${noCustomMetricsAPI}`;
  const condition = unableToCompute(ctx, 'FailedGetObjectMetric', err);
  const inner = target?.value !== undefined ? err : `failed to get ${name} object metric: ${err}`;
  return new MetricError(`failed to get object metric value: ${inner}`, condition);
}

function externalMetric(ctx: MetricContext, spec: MetricSpec): MetricError {
  const e = spec.external;
  const name = e?.metric.name ?? '';
  const target = e?.target;
  if (target?.value === undefined && target?.averageValue === undefined) {
    const err = 'invalid external metric source: neither a value target nor an average value target was set';
    return new MetricError(`failed to get ${name} external metric value: ${err}`, unableToCompute(ctx, 'FailedGetExternalMetric', err));
  }
  const err = `unable to get external metric ${ctx.namespace}/${name}/${goLabelSelector(e?.metric.selector)}: ` +
    `unable to fetch metrics from external metrics API: the server could not find the requested resource (get ${name}.external.metrics.k8s.io)`;
  const condition = unableToCompute(ctx, 'FailedGetExternalMetric', err);
  const inner = target?.averageValue !== undefined ? `failed to get ${name} external metric: ${err}` : `failed to get external metric ${name}: ${err}`;
  return new MetricError(`failed to get ${name} external metric value: ${inner}`, condition);
}

export function unsupportedMetric(ctx: MetricContext, spec: MetricSpec): MetricError {
  switch (spec.type) {
    case 'Pods':
      return podsMetric(ctx, spec);
    case 'Object':
      return objectMetric(ctx, spec);
    case 'External':
      return externalMetric(ctx, spec);
    default: {
      // the API server's validation keeps these out; an old object might still hold one
      const err = `unknown metric source type "${spec.type}"`;
      return new MetricError(err, unableToCompute(ctx, 'InvalidMetricSourceType', err));
    }
  }
}
