// What a pod row shows, computed the way `kubectl get pods` does, so the UI and kubectl agree on
// READY, STATUS and RESTARTS for the same pod.
import type { Pod } from 'kubernetes-types/core/v1';

export interface PodRow {
  /** "ns/name", the store's key. */
  key: string;
  uid: string;
  namespace: string;
  name: string;
  ready: string;
  status: string;
  restarts: number;
  node: string;
  ip: string;
  labels: Readonly<Record<string, string>>;
  created: number | undefined;
  terminating: boolean;
}

export function podRow(pod: Pod): PodRow {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? statuses.length;
  const ready = statuses.filter((c) => c.ready).length;
  const restarts = [...(pod.status?.initContainerStatuses ?? []), ...statuses].reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const created = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : undefined;
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  return {
    key: `${namespace}/${name}`,
    uid: pod.metadata?.uid ?? `${namespace}/${name}`,
    namespace,
    name,
    ready: `${ready}/${total}`,
    status: podStatus(pod),
    restarts,
    node: pod.spec?.nodeName ?? '',
    ip: pod.status?.podIP ?? '',
    labels: pod.metadata?.labels ?? {},
    created: Number.isNaN(created) ? undefined : created,
    terminating: Boolean(pod.metadata?.deletionTimestamp),
  };
}

/** kubectl's STATUS column: the most telling reason, from the pod down to its containers. */
export function podStatus(pod: Pod): string {
  let reason = pod.status?.reason || pod.status?.phase || 'Unknown';

  // An init container that has not finished explains the pod's state better than its phase.
  const inits = pod.status?.initContainerStatuses ?? [];
  const initCount = pod.spec?.initContainers?.length ?? inits.length;
  let initializing = false;
  for (const [i, c] of inits.entries()) {
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    initializing = true;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
    break;
  }

  if (!initializing) {
    let running = false;
    for (const c of [...(pod.status?.containerStatuses ?? [])].reverse()) {
      const waiting = c.state?.waiting?.reason;
      const t = c.state?.terminated;
      if (waiting) reason = waiting;
      else if (t) reason = t.reason || (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`);
      else if (c.ready && c.state?.running) running = true;
    }
    // A finished sidecar next to a running container: the pod is still running.
    if (reason === 'Completed' && running) reason = 'Running';
  }

  if (pod.metadata?.deletionTimestamp) reason = pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}
