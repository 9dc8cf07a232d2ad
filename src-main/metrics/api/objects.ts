// NodeMetrics and PodMetrics (metrics.k8s.io/v1beta1) as metrics-server writes them: the object's
// name, namespace and labels, a creationTimestamp of "now" (the object is made on request), the
// sample's timestamp and window, and usage in canonical quantities (cpu in nanocores as
// "123456789n" or a rounder "250m"; memory in bytes as "1234567Ki" where it divides).
import type { ContainerUsage, NodeUsage } from '../usage.ts';
import { formatQuantity } from '../../util/quantity.ts';

export const metricsGroup = 'metrics.k8s.io';
export const metricsVersion = 'v1beta1';
export const metricsAPIVersion = `${metricsGroup}/${metricsVersion}`;

/** The metadata metrics objects copy from their node or pod. */
export interface ObjectInfo {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}

/** One usage sample with when it was taken. */
export interface Sample<T> {
  usage: T;
  timestamp: number;
  windowSeconds: number;
}

export type ResourceUsage = { cpu: string; memory: string };

export interface MetricsObject {
  kind?: string;
  apiVersion?: string;
  metadata: { name: string; namespace?: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage?: ResourceUsage;
  containers?: { name: string; usage: ResourceUsage }[];
}

/** RFC 3339 with second precision, as metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A Go time.Duration's String() of whole and fractional seconds: "15s", "1m0s", "10.5s". */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return ms < 1000 ? `${ms}ms` : sec;
}

/** CPU as resource.NewScaledQuantity(nanocores, -9). */
export function cpuQuantity(nanoCores: number): string {
  return formatQuantity({ nanos: BigInt(Math.max(0, Math.round(nanoCores))), format: 'DecimalSI' });
}

const binarySuffixes: [string, bigint][] = [['Ei', 2n ** 60n], ['Pi', 2n ** 50n], ['Ti', 2n ** 40n], ['Gi', 2n ** 30n], ['Mi', 2n ** 20n], ['Ki', 2n ** 10n]];

/** Memory as resource.NewQuantity(bytes, BinarySI): the largest power of 1024 that divides it. */
export function memoryQuantity(bytes: number): string {
  const b = BigInt(Math.max(0, Math.round(bytes)));
  for (const [suffix, unit] of binarySuffixes) if (b >= unit && b % unit === 0n) return `${b / unit}${suffix}`;
  return String(b);
}

function usageOf(u: { cpuNanoCores: number; memoryBytes: number }): ResourceUsage {
  return { cpu: cpuQuantity(u.cpuNanoCores), memory: memoryQuantity(u.memoryBytes) };
}

function metadataOf(info: ObjectInfo, now: number): MetricsObject['metadata'] {
  const meta: MetricsObject['metadata'] = { name: info.name, creationTimestamp: rfc3339(now) };
  if (info.namespace !== undefined) meta.namespace = info.namespace;
  if (info.labels && Object.keys(info.labels).length > 0) meta.labels = info.labels;
  return meta;
}

export function nodeMetrics(info: ObjectInfo, sample: Sample<NodeUsage>, now: number): MetricsObject {
  return {
    metadata: metadataOf(info, now),
    timestamp: rfc3339(sample.timestamp),
    window: goDuration(sample.windowSeconds),
    usage: usageOf(sample.usage),
  };
}

export function podMetrics(info: ObjectInfo, sample: Sample<ContainerUsage[]>, now: number): MetricsObject {
  return {
    metadata: metadataOf(info, now),
    timestamp: rfc3339(sample.timestamp),
    window: goDuration(sample.windowSeconds),
    containers: sample.usage.map((c) => ({ name: c.name, usage: usageOf(c) })),
  };
}

/** A single object as GET answers it: with its kind and apiVersion. */
export function withType(obj: MetricsObject, kind: 'NodeMetrics' | 'PodMetrics'): MetricsObject {
  return { kind, apiVersion: metricsAPIVersion, ...obj };
}
