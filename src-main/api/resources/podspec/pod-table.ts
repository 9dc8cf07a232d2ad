// The row `kubectl get pods` shows, computed as upstream's printPod: READY counts ready
// containers (and started sidecars), STATUS is the most telling reason among phase, init
// containers, containers and deletion, RESTARTS adds when the last restart happened.
import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { TableColumn } from '../types.ts';
import { age, humanDuration } from '../../printing/age.ts';
import { isRecord, items } from './json.ts';
import { ageColumn, nameColumn } from './workload.ts';

export const podColumns: TableColumn[] = [
  { ...nameColumn },
  { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0 },
  { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', priority: 0 },
  {
    name: 'Restarts',
    type: 'string',
    description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    priority: 0,
  },
  { ...ageColumn },
  { name: 'IP', type: 'string', description: 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', priority: 1 },
  {
    name: 'Node',
    type: 'string',
    description:
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.',
    priority: 1,
  },
  {
    name: 'Nominated Node',
    type: 'string',
    description: 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
    priority: 1,
  },
  {
    name: 'Readiness Gates',
    type: 'string',
    description: 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True"',
    priority: 1,
  },
];

const time = (t: string | undefined): number => (t ? Date.parse(t) || 0 : 0);

function hasCondition(conditions: PodCondition[], type: string): boolean {
  return conditions.some((c) => c.type === type && c.status === 'True');
}

export function podCells(pod: Pod, now: Date): unknown[] {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const conditions = items<PodCondition>(status.conditions).filter(isRecord);
  let restarts = 0;
  let sidecarRestarts = 0;
  let totalContainers = items<Container>(spec.containers).length;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  let reason: string = status.reason || status.phase || '';
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  const initSpecs = new Map<string, Container>();
  for (const c of items<Container>(spec.initContainers).filter(isRecord)) {
    initSpecs.set(c.name, c);
    if (c.restartPolicy === 'Always') totalContainers++;
  }
  const isSidecar = (name: string) => initSpecs.get(name)?.restartPolicy === 'Always';

  let initializing = false;
  const initStatuses = items<ContainerStatus>(status.initContainerStatuses).filter(isRecord);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    const finished = time(c.lastState?.terminated?.finishedAt);
    if (finished > lastRestart) lastRestart = finished;
    if (isSidecar(c.name)) {
      sidecarRestarts += c.restartCount ?? 0;
      if (finished > lastSidecarRestart) lastSidecarRestart = finished;
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (isSidecar(c.name) && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      reason = terminated.reason
        ? `Init:${terminated.reason}`
        : terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${items(spec.initContainers).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = items<ContainerStatus>(status.containerStatuses).filter(isRecord);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      const finished = time(c.lastState?.terminated?.finishedAt);
      if (finished > lastRestart) lastRestart = finished;
      const terminated = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose last container completed but another still runs is still running.
    if (reason === 'Completed' && hasRunning) reason = hasCondition(conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) restartsText = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;

  const podIP = items<{ ip?: string }>(status.podIPs)[0]?.ip || status.podIP || '<none>';
  let gates = '<none>';
  const readinessGates = items<{ conditionType: string }>(spec.readinessGates);
  if (readinessGates.length > 0) {
    const ok = readinessGates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
    gates = `${ok}/${readinessGates.length}`;
  }
  return [
    pod.metadata?.name ?? '',
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsText,
    age(pod.metadata?.creationTimestamp, now),
    podIP,
    spec.nodeName || '<none>',
    status.nominatedNodeName || '<none>',
    gates,
  ];
}
