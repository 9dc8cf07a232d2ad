// The Node and Lease a hollow node registers: capacity as asked, conditions of a healthy
// kubelet, an address from 198.18.0.0/15 (the range RFC 2544 sets aside for benchmarks, never
// routed, so nothing can try to reach a node that does not exist).
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1';

export interface HollowNodeSpec {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
}

export const hollowDefaults = { cpu: '4', memory: '16Gi', pods: 110 };

/** The node's InternalIP: 198.18.0.1, 198.18.0.2, … by its index in the fleet. */
export function hollowAddress(index: number): string {
  const n = index + 1;
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
}

export { rfc3339 } from '../util/rfc3339.ts';
import { rfc3339 } from '../util/rfc3339.ts';

export function readyConditions(now: number, ready: boolean): NodeCondition[] {
  const t = rfc3339(now);
  const c = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type, status, reason, message, lastHeartbeatTime: t, lastTransitionTime: t,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready
      ? c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
      : c('Ready', 'False', 'KubeletNotReady', 'container runtime is down'),
  ];
}

export function nodeObject(spec: HollowNodeSpec, index: number, now: number): Node {
  const capacity = {
    cpu: spec.cpu ?? hollowDefaults.cpu,
    memory: spec.memory ?? hollowDefaults.memory,
    pods: String(spec.pods ?? hollowDefaults.pods),
    'ephemeral-storage': '100Gi',
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'node.kubelab.dev/hollow': 'true',
        ...spec.labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: spec.taints?.length ? { taints: spec.taints } : {},
    status: {
      capacity,
      allocatable: { ...capacity },
      conditions: readyConditions(now, true),
      addresses: [{ type: 'InternalIP', address: hollowAddress(index) }, { type: 'Hostname', address: spec.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: `hollow-${spec.name}`,
        systemUUID: `hollow-${spec.name}`,
        bootID: `hollow-${spec.name}`,
        kernelVersion: 'hollow',
        osImage: 'Kubelab hollow node',
        containerRuntimeVersion: 'hollow://1.0.0',
        kubeletVersion: 'v1.35.0-kubelab-hollow',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

