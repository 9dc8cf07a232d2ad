// Pod resource usage from the resource metrics API (metrics.k8s.io PodMetrics), read through the
// API as upstream's resourceMetricsClient does: a pod counts only if every container (or the one
// named) reports the resource; values are milli-units (millicores, millibytes).
import { gvr } from '../../client/resources.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { milliValue, parseQuantity } from '../../util/quantity.ts';
import { parseGoDuration } from '../../util/go-duration.ts';

export interface PodMetric {
  /** Milli-units of the resource. */
  value: number;
  /** When it was sampled (ms since the epoch), and over how long. */
  timestamp: number;
  windowMs: number;
}

/** By pod name (one namespace). */
export type PodMetricsInfo = Map<string, PodMetric>;

interface PodMetrics {
  metadata?: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

function quantityMilli(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return milliValue(parseQuantity(text));
  } catch {
    return undefined;
  }
}

function podValue(m: PodMetrics, resource: string, container: string): number | undefined {
  const containers = m.containers ?? [];
  if (container) {
    const c = containers.find((x) => x.name === container);
    if (!c) throw new Error(`container ${container} not present in metrics for pod ${m.metadata?.namespace}/${m.metadata?.name}`);
    return quantityMilli(c.usage?.[resource]);
  }
  if (containers.length === 0) return undefined;
  let sum = 0;
  for (const c of containers) {
    const v = quantityMilli(c.usage?.[resource]);
    if (v === undefined) return undefined;
    sum += v;
  }
  return sum;
}

/**
 * The usage of the pods the selector picks, and the time of the sample. Errors as upstream's:
 * "unable to fetch metrics from resource metrics API: ..." or "no metrics returned from ...".
 */
export async function getResourceMetric(client: KubeClient, resource: string, namespace: string, selector: string, container: string): Promise<{ metrics: PodMetricsInfo; timestamp: number }> {
  let items: PodMetrics[];
  try {
    items = (await client.list<PodMetrics>(gvr.podMetrics, { namespace, labelSelector: selector })).items;
  } catch (err) {
    throw new Error(`unable to fetch metrics from resource metrics API: ${(err as Error).message}`);
  }
  if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
  const metrics: PodMetricsInfo = new Map();
  for (const m of items) {
    let value: number | undefined;
    try {
      value = podValue(m, resource, container);
    } catch (err) {
      throw new Error(`failed to get container metrics: ${(err as Error).message}`);
    }
    if (value === undefined) continue;
    metrics.set(m.metadata?.name ?? '', { value, timestamp: Date.parse(m.timestamp ?? ''), windowMs: parseGoDuration(m.window) });
  }
  return { metrics, timestamp: Date.parse(items[0].timestamp ?? '') };
}
