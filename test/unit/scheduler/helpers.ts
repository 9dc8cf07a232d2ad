// Nodes, pods and a cache for the scheduler's unit tests.
import type { Node, Pod, PodSpec, Taint } from 'kubernetes-types/core/v1';
import { SchedulerCache } from '../../../src-main/scheduler/cache.ts';
import { newPodInfo, type PodInfo } from '../../../src-main/scheduler/pod-info.ts';
import { defaultProfile } from '../../../src-main/scheduler/plugins/index.ts';
import { Algorithm } from '../../../src-main/scheduler/schedule-one.ts';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown';
}

export function node(name: string, o: NodeOpts = {}): Node {
  const capacity = { cpu: o.cpu ?? '4', memory: o.memory ?? '16Gi', pods: String(o.pods ?? 110), 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: o.ready ?? 'True' }] },
  };
}

export interface PodOpts extends Partial<PodSpec> {
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  namespace?: string;
  owner?: string;
  hostPort?: number;
}

let uid = 0;

export function pod(name: string, o: PodOpts = {}): Pod {
  const { cpu, memory, labels, namespace, owner, hostPort, ...spec } = o;
  const requests: Record<string, string> = {};
  if (cpu) requests.cpu = cpu;
  if (memory) requests.memory = memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: namespace ?? 'default', uid: `uid-${name}-${uid++}`, labels,
      ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `rs-${owner}`, controller: true }] : undefined,
    },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: { requests }, ports: hostPort ? [{ containerPort: 80, hostPort }] : undefined }],
      ...spec,
    },
  };
}

/** A pod already running on a node. */
export function bound(p: Pod, nodeName: string): Pod {
  return { ...p, spec: { ...p.spec!, nodeName }, status: { phase: 'Running' } };
}

export function cluster(nodes: Node[], pods: Pod[] = []): { cache: SchedulerCache; algorithm: Algorithm } {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) cache.addPod(p);
  // A fixed "random" makes ties go to the first node seen.
  const algorithm = new Algorithm(defaultProfile(), cache, { random: () => 0.99 });
  return { cache, algorithm };
}

/** Where the pod goes (node name), or the FitError message. */
export function scheduleIn(c: { algorithm: Algorithm }, p: Pod | PodInfo): string {
  const info = 'key' in p ? p : newPodInfo(p);
  const r = c.algorithm.schedule(info);
  return r.kind === 'scheduled' ? r.node.name : r.message;
}
