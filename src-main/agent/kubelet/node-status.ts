// The Node this agent registers and the status it keeps (the kubelet's setters in
// pkg/kubelet/nodestatus): capacity and allocatable, nodeInfo, addresses, and the four
// conditions, the pressure ones decided by the hard eviction thresholds the eviction manager acts on.
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1';
import { defaultEvictionHard, pressureConditions, thresholdQuantity, type Threshold } from './eviction/thresholds.ts';
import type { MachineInfo, MachinePressure } from './machine.ts';

export interface NodeConfig {
  name: string;
  /** The node's InternalIP, if it has one. */
  address?: string;
  /** `runc://1.1.5`, or undefined when the runtime does not answer. */
  runtimeVersion?: string;
  maxPods: number;
  labels?: Record<string, string>;
  /** --eviction-hard (upstream's defaults unless set). */
  evictionHard?: readonly Threshold[];
  /** The port of the agent's HTTPS endpoint (status.daemonEndpoints), 0 without one. */
  kubeletPort?: number;
}

// The system reserves nothing unless told (--kube-reserved / --system-reserved are empty): only
// the hard memory eviction threshold is kept from allocatable.
function memoryThreshold(config: NodeConfig, capacity: number): number {
  const t = (config.evictionHard ?? defaultEvictionHard).find((x) => x.signal === 'memory.available');
  return t ? thresholdQuantity(t, capacity) : 0;
}

export const KUBELET_VERSION = 'v1.35.0-kubelab';

export function nodeLabels(config: NodeConfig, machine: MachineInfo): Record<string, string> {
  return {
    'kubernetes.io/hostname': config.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': machine.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': machine.architecture,
    ...config.labels,
  };
}

export function nodeStatus(config: NodeConfig, machine: MachineInfo, pressure: MachinePressure, previous: NodeCondition[] | undefined, now: string): NodeStatus {
  const capacity = {
    cpu: `${machine.milliCPU % 1000 === 0 ? machine.milliCPU / 1000 : `${machine.milliCPU}m`}`,
    memory: `${Math.floor(machine.memoryBytes / 1024)}Ki`,
    pods: String(config.maxPods),
  };
  // Allocatable is capacity minus reservations and the hard eviction threshold for memory.
  const allocatable = { ...capacity, memory: `${Math.max(0, Math.floor((machine.memoryBytes - memoryThreshold(config, machine.memoryBytes)) / 1024))}Ki` };
  const addresses = [{ type: 'Hostname', address: machine.hostname }];
  if (config.address) addresses.unshift({ type: 'InternalIP', address: config.address });
  return {
    capacity,
    allocatable,
    addresses,
    conditions: nodeConditions(config, pressure, previous, now),
    nodeInfo: {
      machineID: machine.machineID,
      systemUUID: machine.systemUUID,
      bootID: machine.bootID,
      kernelVersion: machine.kernelVersion,
      osImage: machine.osImage,
      containerRuntimeVersion: config.runtimeVersion ?? 'unknown',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: machine.architecture,
    },
    daemonEndpoints: { kubeletEndpoint: { Port: config.kubeletPort ?? 0 } },
  };
}

type Verdict = [status: 'True' | 'False', reason: string, message: string];

export function nodeConditions(config: NodeConfig, pressure: MachinePressure, previous: NodeCondition[] | undefined, now: string): NodeCondition[] {
  const under = pressureConditions(config.evictionHard ?? defaultEvictionHard, pressure);
  const memory: Verdict = under.has('MemoryPressure')
    ? ['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available']
    : ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'];
  const disk: Verdict = under.has('DiskPressure')
    ? ['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure']
    : ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'];
  const pids: Verdict = under.has('PIDPressure')
    ? ['True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available']
    : ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'];
  const ready: Verdict = config.runtimeVersion
    ? ['True', 'KubeletReady', 'kubelet is posting ready status']
    : ['False', 'KubeletNotReady', 'container runtime is down: the OCI runtime does not answer'];
  const condition = (type: string, [status, reason, message]: Verdict): NodeCondition => {
    const old = previous?.find((c) => c.type === type);
    // The transition time moves only when the status does.
    const lastTransitionTime = old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime };
  };
  return [condition('MemoryPressure', memory), condition('DiskPressure', disk), condition('PIDPressure', pids), condition('Ready', ready)];
}

/** Whether two statuses differ in more than their heartbeat times (then the status is written). */
export function statusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined) => JSON.stringify({ ...s, conditions: s?.conditions?.map(({ lastHeartbeatTime: _t, ...c }) => c) });
  return strip(a) !== strip(b);
}

export function nodeObject(config: NodeConfig, machine: MachineInfo, status: NodeStatus): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: config.name, labels: nodeLabels(config, machine) }, spec: {}, status };
}
