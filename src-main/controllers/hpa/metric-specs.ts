// One replica proposal per metric of the HPA (upstream's computeReplicasForMetric): Resource and
// ContainerResource from the resource metrics API, with a Utilization or AverageValue target.
// Pods, Object and External metrics need a custom or external metrics API, which Kubelab does
// not serve: they fail as they fail upstream without one (FailedGet...Metric).
import type { MetricSpec, MetricStatus, MetricTarget } from 'kubernetes-types/autoscaling/v2';
import { milliValue, parseQuantity } from '../../util/quantity.ts';
import { MetricError, milliQuantity, unableToCompute, type MetricContext, type MetricProposal } from './metric-context.ts';
import { rawResourceReplicas, resourceReplicas, type Tolerances } from './replica-calculator.ts';
import { getResourceMetric } from './resource-metrics.ts';
import { unsupportedMetric } from './unsupported-metrics.ts';

interface ResourceSource {
  type: 'Resource' | 'ContainerResource';
  name: string;
  container: string;
  target: MetricTarget;
}

interface ResourceProposal {
  replicas: number;
  metricName: string;
  timestamp: number;
  current: { averageUtilization?: number; averageValue: string };
}

/** The pods' metrics and the calculator's input; a failed read is upstream's "unable to get metrics ...". */
async function calculatorInput(ctx: MetricContext, src: ResourceSource) {
  let read;
  try {
    read = await getResourceMetric(ctx.client, src.name, ctx.namespace, ctx.selector, src.container);
  } catch (err) {
    throw new Error(`unable to get metrics for resource ${src.name}: ${(err as Error).message}`);
  }
  const input = { currentReplicas: ctx.specReplicas, pods: ctx.pods, metrics: read.metrics, resource: src.name, container: src.container, tolerances: ctx.tolerances, now: ctx.now };
  return { input, timestamp: read.timestamp };
}

/** computeStatusForResourceMetricGeneric: a proposal, or an error with upstream's message. */
async function resourceProposal(ctx: MetricContext, src: ResourceSource): Promise<ResourceProposal> {
  const { target, name } = src;
  if (target.averageValue !== undefined) {
    try {
      const { input, timestamp } = await calculatorInput(ctx, src);
      const r = rawResourceReplicas(input, milliValue(parseQuantity(target.averageValue)));
      return { replicas: r.replicas, metricName: `${name} resource`, timestamp, current: { averageValue: milliQuantity(r.usage) } };
    } catch (err) {
      throw new Error(`failed to get ${name} usage: ${(err as Error).message}`);
    }
  }
  if (target.averageUtilization === undefined) {
    throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
  }
  try {
    const { input, timestamp } = await calculatorInput(ctx, src);
    const r = resourceReplicas(input, target.averageUtilization);
    const what = src.type === 'ContainerResource' ? 'container resource' : 'resource';
    return {
      replicas: r.replicas,
      metricName: `${name} ${what} utilization (percentage of request)`,
      timestamp,
      current: { averageUtilization: r.utilization, averageValue: milliQuantity(r.rawAverage) },
    };
  } catch (err) {
    throw new Error(`failed to get ${name} utilization: ${(err as Error).message}`);
  }
}

async function resourceMetric(ctx: MetricContext, src: ResourceSource): Promise<MetricProposal> {
  const reason = src.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
  let p: ResourceProposal;
  try {
    p = await resourceProposal(ctx, src);
  } catch (err) {
    const message = (err as Error).message;
    const condition = unableToCompute(ctx, reason, message);
    const outer = src.type === 'Resource' ? `failed to get ${src.name} resource metric value` : `failed to get ${src.container} container metric value`;
    throw new MetricError(`${outer}: ${message}`, condition);
  }
  const status: MetricStatus = src.type === 'Resource'
    ? { type: 'Resource', resource: { name: src.name, current: p.current } }
    : { type: 'ContainerResource', containerResource: { name: src.name, container: src.container, current: p.current } };
  return { replicas: p.replicas, metricName: p.metricName, timestamp: p.timestamp, status };
}

export function computeReplicasForMetric(ctx: MetricContext, spec: MetricSpec): Promise<MetricProposal> {
  if (spec.type === 'Resource' && spec.resource) {
    return resourceMetric(ctx, { type: 'Resource', name: spec.resource.name, container: '', target: spec.resource.target });
  }
  if (spec.type === 'ContainerResource' && spec.containerResource) {
    const c = spec.containerResource;
    return resourceMetric(ctx, { type: 'ContainerResource', name: c.name, container: c.container, target: c.target });
  }
  return Promise.reject(unsupportedMetric(ctx, spec));
}
