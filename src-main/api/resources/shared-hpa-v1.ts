// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler conversion. v1 only knows a CPU
// utilization target; as upstream, whatever v2 holds beyond it travels in annotations on the v1
// object (metrics and current metrics in v1's older MetricSpec shape, behavior as the internal
// Go struct's JSON, conditions) and is lifted back out when a v1 object is written.
import { arrayAt, isRecord, recordAt } from './shared-meta.ts';
import type { KubeObject } from './types.ts';
import { cloneJSON } from '../../util/clone-json.ts';

type Obj = Record<string, unknown>;

export const metricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
export const currentMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';
export const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
const roundTripAnnotations = [metricsAnnotation, currentMetricsAnnotation, behaviorAnnotation, conditionsAnnotation];

/** DefaultCPUUtilization: the target when an HPA names no metric at all. */
export const defaultCPUUtilization = 80;

const defined = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const isCPUUtilization = (m: unknown): boolean =>
  isRecord(m) && m.type === 'Resource' && recordAt(m, 'resource')?.name === 'cpu' && recordAt(recordAt(m, 'resource'), 'target')?.type === 'Utilization';

// ---- metric specs ----

function specToV1(m: Obj): Obj {
  const target = (src: Obj | undefined) => recordAt(src, 'target') ?? {};
  const metric = (src: Obj | undefined) => recordAt(src, 'metric') ?? {};
  switch (m.type) {
    case 'Resource': {
      const r = recordAt(m, 'resource');
      return { type: m.type, resource: defined({ name: r?.name, targetAverageUtilization: target(r).averageUtilization, targetAverageValue: target(r).averageValue }) };
    }
    case 'ContainerResource': {
      const r = recordAt(m, 'containerResource');
      return {
        type: m.type,
        containerResource: defined({ name: r?.name, container: r?.container, targetAverageUtilization: target(r).averageUtilization, targetAverageValue: target(r).averageValue }),
      };
    }
    case 'Pods': {
      const p = recordAt(m, 'pods');
      return { type: m.type, pods: defined({ metricName: metric(p).name, selector: metric(p).selector, targetAverageValue: target(p).averageValue }) };
    }
    case 'Object': {
      const o = recordAt(m, 'object');
      return {
        type: m.type,
        object: defined({ target: o?.describedObject, metricName: metric(o).name, selector: metric(o).selector, targetValue: target(o).value, averageValue: target(o).averageValue }),
      };
    }
    case 'External': {
      const e = recordAt(m, 'external');
      return {
        type: m.type,
        external: defined({ metricName: metric(e).name, metricSelector: metric(e).selector, targetValue: target(e).value, targetAverageValue: target(e).averageValue }),
      };
    }
    default:
      return { type: m.type };
  }
}

/** The v2 MetricTarget for v1's flat target fields. */
function targetOf(utilization: unknown, averageValue: unknown, value?: unknown): Obj {
  if (utilization !== undefined) return { type: 'Utilization', averageUtilization: utilization };
  if (averageValue !== undefined) return { type: 'AverageValue', averageValue };
  return defined({ type: 'Value', value });
}

function specFromV1(m: Obj): Obj {
  switch (m.type) {
    case 'Resource': {
      const r = recordAt(m, 'resource') ?? {};
      return { type: m.type, resource: { name: r.name, target: targetOf(r.targetAverageUtilization, r.targetAverageValue) } };
    }
    case 'ContainerResource': {
      const r = recordAt(m, 'containerResource') ?? {};
      return { type: m.type, containerResource: { name: r.name, container: r.container, target: targetOf(r.targetAverageUtilization, r.targetAverageValue) } };
    }
    case 'Pods': {
      const p = recordAt(m, 'pods') ?? {};
      return { type: m.type, pods: { metric: defined({ name: p.metricName, selector: p.selector }), target: targetOf(undefined, p.targetAverageValue) } };
    }
    case 'Object': {
      const o = recordAt(m, 'object') ?? {};
      return {
        type: m.type,
        object: { describedObject: o.target, metric: defined({ name: o.metricName, selector: o.selector }), target: targetOf(undefined, o.averageValue, o.targetValue) },
      };
    }
    case 'External': {
      const e = recordAt(m, 'external') ?? {};
      return { type: m.type, external: { metric: defined({ name: e.metricName, selector: e.metricSelector }), target: targetOf(undefined, e.targetAverageValue, e.targetValue) } };
    }
    default:
      return { type: m.type };
  }
}

// ---- metric statuses ----

function statusToV1(m: Obj): Obj {
  const current = (src: Obj | undefined) => recordAt(src, 'current') ?? {};
  const metric = (src: Obj | undefined) => recordAt(src, 'metric') ?? {};
  switch (m.type) {
    case 'Resource': {
      const r = recordAt(m, 'resource');
      return { type: m.type, resource: defined({ name: r?.name, currentAverageUtilization: current(r).averageUtilization, currentAverageValue: current(r).averageValue }) };
    }
    case 'ContainerResource': {
      const r = recordAt(m, 'containerResource');
      return {
        type: m.type,
        containerResource: defined({ name: r?.name, container: r?.container, currentAverageUtilization: current(r).averageUtilization, currentAverageValue: current(r).averageValue }),
      };
    }
    case 'Pods': {
      const p = recordAt(m, 'pods');
      return { type: m.type, pods: defined({ metricName: metric(p).name, selector: metric(p).selector, currentAverageValue: current(p).averageValue }) };
    }
    case 'Object': {
      const o = recordAt(m, 'object');
      return {
        type: m.type,
        object: defined({ target: o?.describedObject, metricName: metric(o).name, selector: metric(o).selector, currentValue: current(o).value, averageValue: current(o).averageValue }),
      };
    }
    case 'External': {
      const e = recordAt(m, 'external');
      return {
        type: m.type,
        external: defined({ metricName: metric(e).name, metricSelector: metric(e).selector, currentValue: current(e).value, currentAverageValue: current(e).averageValue }),
      };
    }
    default:
      return { type: m.type };
  }
}

function statusFromV1(m: Obj): Obj {
  switch (m.type) {
    case 'Resource': {
      const r = recordAt(m, 'resource') ?? {};
      return { type: m.type, resource: { name: r.name, current: defined({ averageUtilization: r.currentAverageUtilization, averageValue: r.currentAverageValue }) } };
    }
    case 'ContainerResource': {
      const r = recordAt(m, 'containerResource') ?? {};
      return {
        type: m.type,
        containerResource: { name: r.name, container: r.container, current: defined({ averageUtilization: r.currentAverageUtilization, averageValue: r.currentAverageValue }) },
      };
    }
    case 'Pods': {
      const p = recordAt(m, 'pods') ?? {};
      return { type: m.type, pods: { metric: defined({ name: p.metricName, selector: p.selector }), current: defined({ averageValue: p.currentAverageValue }) } };
    }
    case 'Object': {
      const o = recordAt(m, 'object') ?? {};
      return {
        type: m.type,
        object: { describedObject: o.target, metric: defined({ name: o.metricName, selector: o.selector }), current: defined({ value: o.currentValue, averageValue: o.averageValue }) },
      };
    }
    case 'External': {
      const e = recordAt(m, 'external') ?? {};
      return { type: m.type, external: { metric: defined({ name: e.metricName, selector: e.metricSelector }), current: defined({ value: e.currentValue, averageValue: e.currentAverageValue }) } };
    }
    default:
      return { type: m.type };
  }
}

// ---- behavior: the annotation holds Go field names (no JSON tags on the internal type) ----

function recase(value: unknown, change: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => recase(v, change));
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [change(k), recase(v, change)]));
}
const upper = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);
const lower = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);

function parseJSON(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Storage (v2) to v1. */
export function hpaToV1(obj: KubeObject): KubeObject {
  const out = cloneJSON(obj);
  const spec = recordAt(obj, 'spec') ?? {};
  const status = recordAt(obj, 'status');
  const metrics = arrayAt(spec, 'metrics').filter(isRecord);
  const cpu = metrics.find(isCPUUtilization);
  const others = metrics.filter((m) => !isCPUUtilization(m));
  const annotations: Record<string, string> = { ...(obj.metadata?.annotations ?? {}) };
  if (others.length > 0) annotations[metricsAnnotation] = JSON.stringify(others.map(specToV1));
  const currentMetrics = arrayAt(status, 'currentMetrics').filter(isRecord);
  if (currentMetrics.length > 0) annotations[currentMetricsAnnotation] = JSON.stringify(currentMetrics.map(statusToV1));
  if (isRecord(spec.behavior)) annotations[behaviorAnnotation] = JSON.stringify(recase(spec.behavior, upper));
  const conditions = arrayAt(status, 'conditions');
  if (conditions.length > 0) annotations[conditionsAnnotation] = JSON.stringify(conditions);
  if (Object.keys(annotations).length > 0) out.metadata.annotations = annotations;

  out.spec = defined({
    scaleTargetRef: spec.scaleTargetRef,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    targetCPUUtilizationPercentage: cpu ? recordAt(recordAt(cpu, 'resource'), 'target')?.averageUtilization : undefined,
  });
  if (status) {
    const cpuNow = currentMetrics.find((m) => m.type === 'Resource' && recordAt(m, 'resource')?.name === 'cpu');
    out.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: recordAt(recordAt(cpuNow, 'resource'), 'current')?.averageUtilization,
    });
  }
  return out;
}

/** v1 to storage (v2): the CPU target first, then the metrics kept in the annotation. */
export function hpaFromV1(obj: KubeObject): KubeObject {
  const out = cloneJSON(obj);
  const spec = recordAt(obj, 'spec') ?? {};
  const status = recordAt(obj, 'status');
  const annotations = { ...(obj.metadata?.annotations ?? {}) } as Record<string, string>;
  const metrics: Obj[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== null) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  const others = parseJSON(annotations[metricsAnnotation]);
  if (Array.isArray(others)) metrics.push(...others.filter(isRecord).map(specFromV1));
  if (metrics.length === 0) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCPUUtilization } } });
  }
  const behavior = parseJSON(annotations[behaviorAnnotation]);
  out.spec = defined({
    scaleTargetRef: spec.scaleTargetRef,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    metrics,
    behavior: isRecord(behavior) ? recase(behavior, lower) : undefined,
  });
  if (status) {
    let currentMetrics: unknown[] | undefined;
    const saved = parseJSON(annotations[currentMetricsAnnotation]);
    if (Array.isArray(saved)) currentMetrics = saved.filter(isRecord).map(statusFromV1);
    else if (typeof status.currentCPUUtilizationPercentage === 'number') {
      currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];
    }
    const conditions = parseJSON(annotations[conditionsAnnotation]);
    out.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas,
      currentMetrics,
      conditions: Array.isArray(conditions) ? conditions : undefined,
    });
  }
  for (const a of roundTripAnnotations) delete annotations[a];
  if (Object.keys(annotations).length > 0) out.metadata.annotations = annotations;
  else delete out.metadata.annotations;
  return out;
}
