// Resource arithmetic of the scheduler, in plain numbers: cpu in millicores, memory and
// ephemeral storage in bytes, extended resources ("nvidia.com/gpu") in their units. A pod's
// request follows component-helpers' PodRequests: the sum of its containers and sidecars (init
// containers with restartPolicy Always), at least the largest init container (plus the sidecars
// started before it), plus spec.overhead. The "non-zero" request gives containers without a cpu
// or memory request 100m and 200 MiB, so that scoring does not pile request-less pods onto one
// node (upstream's DefaultMilliCPURequest / DefaultMemoryRequest).
import type { Container, Node, Pod } from 'kubernetes-types/core/v1';
import { milliValue, parseQuantity, value } from '../util/quantity.ts';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and other resources by name. */
  scalar: Map<string, number>;
}

export interface Allocatable extends Resources {
  pods: number;
}

export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() };
}

// Quantity texts repeat endlessly ("100m", "128Mi"); parsing each once keeps pod events cheap.
const parsed = new Map<string, { milli: number; units: number }>();

function quantity(text: unknown): { milli: number; units: number } {
  const key = String(text);
  let q = parsed.get(key);
  if (!q) {
    try {
      const p = parseQuantity(key);
      q = { milli: milliValue(p), units: value(p) };
    } catch {
      q = { milli: 0, units: 0 };
    }
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(key, q);
  }
  return q;
}

type ResourceList = Readonly<Record<string, unknown>> | undefined;

function addList(r: Resources, list: ResourceList, sign = 1): void {
  if (!list) return;
  for (const [name, text] of Object.entries(list)) {
    const q = quantity(text);
    if (name === 'cpu') r.milliCPU += sign * q.milli;
    else if (name === 'memory') r.memory += sign * q.units;
    else if (name === 'ephemeral-storage') r.ephemeralStorage += sign * q.units;
    else if (name !== 'pods') r.scalar.set(name, (r.scalar.get(name) ?? 0) + sign * q.units);
  }
}

export function addResources(into: Resources, r: Resources, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  addScalars(into.scalar, r.scalar, sign);
}

/** Adds (sign 1) or takes away (-1) named amounts; a name that reaches zero is dropped. */
export function addScalars(into: Map<string, number>, from: ReadonlyMap<string, number>, sign: number): void {
  for (const [name, v] of from) {
    const next = (into.get(name) ?? 0) + sign * v;
    if (next === 0) into.delete(name);
    else into.set(name, next);
  }
}

function maxInto(into: Resources, r: Resources): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [name, v] of r.scalar) into.scalar.set(name, Math.max(into.scalar.get(name) ?? 0, v));
}

function cloneResources(r: Resources): Resources {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, scalar: new Map(r.scalar) };
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const r = emptyResources();
  const requests = c.resources?.requests as ResourceList;
  addList(r, requests);
  if (nonZero) {
    if (requests?.cpu === undefined) r.milliCPU = defaultMilliCPURequest;
    if (requests?.memory === undefined) r.memory = defaultMemoryRequest;
  }
  return r;
}

/** The pod's effective request; nonZero applies the scoring defaults to containers without one. */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const total = emptyResources();
  for (const c of pod.spec?.containers ?? []) addResources(total, containerRequests(c, nonZero));
  const initMax = emptyResources();
  const sidecars = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      // A sidecar runs alongside everything after it: it adds to the pod's total.
      addResources(sidecars, r);
      addResources(total, r);
      maxInto(initMax, sidecars);
    } else {
      const during = cloneResources(sidecars);
      addResources(during, r);
      maxInto(initMax, during);
    }
  }
  maxInto(total, initMax);
  addList(total, pod.spec?.overhead as ResourceList);
  return total;
}

/** The node's status.allocatable (capacity where allocatable is missing). */
export function nodeAllocatable(node: Node): Allocatable {
  const list = (node.status?.allocatable ?? node.status?.capacity) as ResourceList;
  const r = emptyResources();
  addList(r, list);
  const pods = list?.pods !== undefined ? quantity(list.pods).units : 0;
  return { ...r, pods };
}
