// The statuses a hollow kubelet writes: a pod Running (and Ready once its readiness delay has
// passed), then, for pods told to finish, Succeeded or Failed with their containers' exit codes.
// Shapes follow the kubelet's: the four pod conditions, one containerStatus per container.
import type { ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1';
import { rfc3339 } from './node-object.ts';

/** Annotations a pod may carry to tell its hollow node how to behave. */
export const hollowAnnotations = {
  /** Seconds after start when the containers exit (absent: they run until deleted). */
  runSeconds: 'hollow.kubelab.dev/run-seconds',
  /** The exit code they exit with (default 0). */
  exitCode: 'hollow.kubelab.dev/exit-code',
  /** Seconds after start before the pod reports Ready (default: the fleet's readyDelay). */
  readySeconds: 'hollow.kubelab.dev/ready-seconds',
  /** Fake usage per container, as quantities ("250m", "64Mi"). */
  cpuUsage: 'hollow.kubelab.dev/cpu-usage',
  memoryUsage: 'hollow.kubelab.dev/memory-usage',
};

function condition(type: string, ok: boolean, at: string, reason?: string): PodCondition {
  return { type, status: ok ? 'True' : 'False', lastTransitionTime: at, ...(reason ? { reason } : {}) };
}

function containerID(pod: Pod, name: string, restarts: number): string {
  return `hollow://${pod.metadata?.uid ?? pod.metadata?.name}/${name}/${restarts}`;
}

export interface RunningState {
  startedAt: number;
  ready: boolean;
  /** When the containers became (or will become) ready: the Ready condition's transition time. */
  readyAt: number;
  restarts: number;
  hostIP: string;
  podIP: string;
}

/** One status per container, all in the same state (a hollow pod's containers act as one). */
function containerStatuses(pod: Pod, s: RunningState, running: boolean, state: (id: string) => ContainerState): ContainerStatus[] {
  return (pod.spec?.containers ?? []).map((c) => {
    const id = containerID(pod, c.name, s.restarts);
    return {
      name: c.name,
      image: c.image ?? '',
      imageID: `hollow://${c.image ?? ''}`,
      containerID: id,
      ready: running && s.ready,
      started: running,
      restartCount: s.restarts,
      state: state(id),
    };
  });
}

/** The parts of a pod's status that stay from start to finish. */
function placement(pod: Pod, s: RunningState): Pick<PodStatus, 'hostIP' | 'hostIPs' | 'podIP' | 'podIPs' | 'startTime' | 'qosClass'> {
  return {
    hostIP: s.hostIP,
    hostIPs: [{ ip: s.hostIP }],
    podIP: s.podIP,
    podIPs: [{ ip: s.podIP }],
    startTime: rfc3339(s.startedAt),
    qosClass: pod.status?.qosClass,
  };
}

export function runningStatus(pod: Pod, s: RunningState): PodStatus {
  const started = rfc3339(s.startedAt);
  const readySince = s.ready ? rfc3339(s.readyAt) : started;
  return {
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers', true, started),
      condition('Initialized', true, started),
      condition('Ready', s.ready, readySince, s.ready ? undefined : 'ContainersNotReady'),
      condition('ContainersReady', s.ready, readySince, s.ready ? undefined : 'ContainersNotReady'),
      condition('PodScheduled', true, started),
    ],
    ...placement(pod, s),
    containerStatuses: containerStatuses(pod, s, true, () => ({ running: { startedAt: started } })),
  };
}

export function finishedStatus(pod: Pod, s: RunningState, exitCode: number, finishedAt: number): PodStatus {
  const started = rfc3339(s.startedAt);
  const finished = rfc3339(finishedAt);
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  return {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: [
      condition('PodReadyToStartContainers', false, finished),
      condition('Initialized', true, started, 'PodCompleted'),
      condition('Ready', false, finished, 'PodCompleted'),
      condition('ContainersReady', false, finished, 'PodCompleted'),
      condition('PodScheduled', true, started),
    ],
    ...placement(pod, s),
    containerStatuses: containerStatuses(pod, s, false, (containerID) => ({
      terminated: { exitCode, reason, startedAt: started, finishedAt: finished, containerID },
    })),
  };
}
