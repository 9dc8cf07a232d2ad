// A pod's status as the kubelet reports it (generateAPIPodStatus): phase from its containers'
// states (getPhase), the conditions, one containerStatus per container, addresses and startTime.
import type { ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1';

/** What the kubelet knows of one container of the pod. */
export interface ContainerRecord {
  name: string;
  image: string;
  imageID?: string;
  /** The runtime's container id while one exists. */
  id?: string;
  restartCount: number;
  startedAt?: string;
  /** Set once the current run ended. */
  terminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string; containerID: string };
  /** The previous run, once it restarted. */
  lastTerminated?: ContainerRecord['terminated'];
  /** Why it is not running: ContainerCreating, ErrImagePull, CrashLoopBackOff, … */
  waiting?: { reason: string; message?: string };
  /** False while its startup probe has not passed; undefined without one. */
  started?: boolean;
  /** Its readiness probe's result; undefined without one (ready once started). */
  ready?: boolean;
}

/** A container's ID in the API: `<runtime>://<id>`, as the kubelet writes `containerd://…`. */
export const containerID = (runtime: string, id: string): string => `${runtime}://${id}`;

function stateOf(c: ContainerRecord): ContainerState {
  if (c.waiting) return { waiting: { reason: c.waiting.reason, ...(c.waiting.message ? { message: c.waiting.message } : {}) } };
  if (c.terminated) return { terminated: { ...c.terminated } };
  if (c.startedAt) return { running: { startedAt: c.startedAt } };
  return { waiting: { reason: 'ContainerCreating' } };
}

/** The run lastState shows: while a container waits to restart, the one that just ended. */
const lastRun = (c: ContainerRecord) => (c.waiting && c.terminated ? c.terminated : c.lastTerminated);

/** A container's status; an init container is ready once it succeeded, a waiting one says why. */
export function containerStatus(c: ContainerRecord, runtime: string, init = false, waitingFor?: string): ContainerStatus {
  const running = !c.waiting && !c.terminated && c.startedAt !== undefined;
  const started = running && c.started !== false;
  const ready = init ? c.terminated?.exitCode === 0 : started && c.ready !== false;
  const waiting = waitingFor && !c.id && !c.waiting ? { waiting: { reason: waitingFor } } : undefined;
  return {
    name: c.name,
    image: c.image,
    imageID: c.imageID ?? '',
    ...(c.id ? { containerID: containerID(runtime, c.id) } : {}),
    ready,
    started,
    restartCount: c.restartCount,
    state: waiting ?? stateOf(c),
    lastState: lastRun(c) ? { terminated: { ...lastRun(c)! } } : {},
  };
}

/** Whether every init container has run to success. */
export function initialized(inits: ContainerRecord[]): boolean {
  return inits.every((c) => c.terminated?.exitCode === 0);
}

/**
 * getPhase: Pending while init containers have not all succeeded (Failed when one failed and the
 * pod never restarts), then from the containers: waiting → Pending; restarting counts as stopped.
 */
export function podPhase(pod: Pod, containers: ContainerRecord[], inits: ContainerRecord[] = []): PodStatus['phase'] {
  if (!initialized(inits)) {
    const failed = inits.some((c) => c.terminated && c.terminated.exitCode !== 0);
    return failed && pod.spec?.restartPolicy === 'Never' ? 'Failed' : 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of containers) {
    if (c.terminated) {
      stopped++;
      if (c.terminated.exitCode === 0) succeeded++;
    } else if (c.waiting && c.lastTerminated) stopped++;
    else if (c.waiting || !c.startedAt) waiting++;
    else running++;
  }
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, now: string, previous: PodCondition[] | undefined, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const old = previous?.find((c) => c.type === type);
  return {
    type, status, lastProbeTime: null as unknown as string,
    lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : now,
    ...(ok || !reason ? {} : { reason }),
    ...(ok || !message ? {} : { message }),
  };
}

/** Go's %s of a []string, as upstream's condition messages print names. */
const goList = (names: string[]) => `[${names.join(' ')}]`;

/**
 * ContainersReady and Ready (GeneratePodReadyCondition): every container ready, and for Ready
 * also every readiness gate's condition True — conditions that others (controllers, load
 * balancers) set on the pod.
 */
function readyConditions(pod: Pod, statuses: ContainerStatus[], finished: boolean, now: string): PodCondition[] {
  const previous = pod.status?.conditions;
  if (finished) return ['Ready', 'ContainersReady'].map((t) => condition(t, false, now, previous, 'PodCompleted'));
  const unready = statuses.filter((c) => !c.ready).map((c) => c.name);
  const message = unready.length > 0 ? `containers with unready status: ${goList(unready)}` : undefined;
  const containersReady = condition('ContainersReady', statuses.length > 0 && unready.length === 0, now, previous, 'ContainersNotReady', message);
  if (containersReady.status !== 'True') return [condition('Ready', false, now, previous, containersReady.reason, containersReady.message), containersReady];
  const gates = (pod.spec?.readinessGates ?? []).flatMap(({ conditionType }) => {
    const c = previous?.find((p) => p.type === conditionType);
    if (!c) return [`corresponding condition of pod readiness gate ${JSON.stringify(conditionType)} does not exist.`];
    return c.status === 'True' ? [] : [`the status of pod readiness gate ${JSON.stringify(conditionType)} is not "True", but ${c.status}`];
  });
  return [condition('Ready', gates.length === 0, now, previous, 'ReadinessGatesNotReady', gates.join(', ')), containersReady];
}

const kubeletConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

export interface PodStatusInput {
  pod: Pod;
  containers: ContainerRecord[];
  initContainers?: ContainerRecord[];
  podIP?: string;
  hostIP?: string;
  startTime: string;
  sandboxReady: boolean;
  now: string;
  /** The OCI runtime's name, the containerIDs' scheme. */
  runtime: string;
}

export function podStatus(input: PodStatusInput): PodStatus {
  const { pod, containers, now } = input;
  const previous = pod.status?.conditions;
  const inits = input.initContainers ?? [];
  const phase = podPhase(pod, containers, inits);
  const initDone = initialized(inits);
  const statuses = containers.map((c) => containerStatus(c, input.runtime, false, initDone ? undefined : 'PodInitializing'));
  // A pod that finished is no longer ready (PodCompleted), whatever its containers last were.
  const finished = phase === 'Succeeded' || phase === 'Failed';
  return {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', input.sandboxReady, now, previous),
      condition('Initialized', initDone, now, previous, 'ContainersNotInitialized'),
      ...readyConditions(pod, statuses, finished, now),
      condition('PodScheduled', true, now, previous),
      // Conditions others own (readiness gates' among them) stay as they are.
      ...(previous ?? []).filter((c) => !kubeletConditions.has(c.type)),
    ],
    hostIP: input.hostIP,
    ...(input.hostIP ? { hostIPs: [{ ip: input.hostIP }] } : {}),
    ...(input.podIP ? { podIP: input.podIP, podIPs: [{ ip: input.podIP }] } : {}),
    startTime: input.startTime,
    ...(inits.length > 0 ? { initContainerStatuses: inits.map((c) => containerStatus(c, input.runtime, true)) } : {}),
    containerStatuses: statuses,
    qosClass: pod.status?.qosClass,
  };
}

/**
 * What the status says of a pod's containers, as records: for a pod that finished before this
 * agent started (it has no worker), so that its logs are still found by run.
 */
export function recordsFromStatus(statuses: ContainerStatus[] | undefined): Map<string, ContainerRecord> {
  const terminated = (t: NonNullable<ContainerState['terminated']> | undefined) => t && {
    exitCode: t.exitCode, reason: t.reason ?? '', startedAt: t.startedAt ?? '', finishedAt: t.finishedAt ?? '', containerID: t.containerID ?? '',
  };
  return new Map((statuses ?? []).map((c) => [c.name, {
    name: c.name, image: c.image, imageID: c.imageID, restartCount: c.restartCount,
    terminated: terminated(c.state?.terminated), lastTerminated: terminated(c.lastState?.terminated),
  }]));
}
