// What the Nodes view and the Overview show about a node, computed as kubectl does: STATUS
// (Ready/NotReady plus SchedulingDisabled), ROLES from node-role.kubernetes.io/* labels, and the
// CPU/memory its pods request against what it can allocate.
import type { Container, Node, Pod } from 'kubernetes-types/core/v1';
import { milliValue, parseQuantity, value } from '../../src-main/util/quantity.ts';

export function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** kubectl get nodes' STATUS: "Ready", "NotReady", "Unknown", then ",SchedulingDisabled" when cordoned. */
export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const base = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return node.spec?.unschedulable ? `${base},SchedulingDisabled` : base;
}

/** kubectl's ROLES: node-role.kubernetes.io/<role> labels (and the older kubernetes.io/role). */
export function nodeRoles(node: Node): string[] {
  const labels = node.metadata?.labels ?? {};
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length) || v);
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].filter(Boolean).sort();
}

export function internalIP(node: Node): string {
  const a = node.status?.addresses ?? [];
  return (a.find((x) => x.type === 'InternalIP') ?? a.find((x) => x.type !== 'Hostname'))?.address ?? '';
}

/** Millicores or bytes of a quantity text; 0 when absent or unparsable. */
export function cpuMillis(q: string | number | undefined): number {
  return quantity(q, milliValue);
}

export function memoryBytes(q: string | number | undefined): number {
  return quantity(q, value);
}

function quantity(q: string | number | undefined, unit: (x: ReturnType<typeof parseQuantity>) => number): number {
  if (q === undefined) return 0;
  try {
    return unit(parseQuantity(q));
  } catch {
    return 0;
  }
}

export interface Resources {
  cpu: number;
  memory: number;
}

/** A pod's requests as the scheduler counts them: the sum of its containers, or its largest init container. */
export function podRequests(pod: Pod): Resources {
  const sum = (cs: Container[]) =>
    cs.reduce((r, c) => ({ cpu: r.cpu + cpuMillis(c.resources?.requests?.cpu), memory: r.memory + memoryBytes(c.resources?.requests?.memory) }), { cpu: 0, memory: 0 });
  const main = sum(pod.spec?.containers ?? []);
  for (const c of pod.spec?.initContainers ?? []) {
    main.cpu = Math.max(main.cpu, cpuMillis(c.resources?.requests?.cpu));
    main.memory = Math.max(main.memory, memoryBytes(c.resources?.requests?.memory));
  }
  return main;
}

/** Pods that hold resources on a node: scheduled there and not finished. */
export function holdsResources(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export function allocatable(node: Node): Resources {
  return { cpu: cpuMillis(node.status?.allocatable?.cpu), memory: memoryBytes(node.status?.allocatable?.memory) };
}

/** Requests of the pods on each node, by node name. */
export function requestsByNode(pods: Iterable<Pod>): Map<string, Resources> {
  const out = new Map<string, Resources>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (!node || !holdsResources(p)) continue;
    const r = podRequests(p);
    const sum = out.get(node) ?? { cpu: 0, memory: 0 };
    out.set(node, { cpu: sum.cpu + r.cpu, memory: sum.memory + r.memory });
  }
  return out;
}

export function formatCpu(millis: number): string {
  return millis >= 1000 ? `${(millis / 1000).toFixed(millis % 1000 === 0 ? 0 : 1)} cores` : `${Math.round(millis)}m`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}
