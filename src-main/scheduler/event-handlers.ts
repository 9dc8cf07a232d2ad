// From informer events to the cache and the queue (pkg/scheduler/eventhandlers.go): pods with a
// node go to the cache (and their arrival, change or departure is a cluster event that may help
// parked pods); pending pods this scheduler is responsible for go to the queue; node changes
// update the cache and are classified (labels, taints, allocatable, conditions) so only the
// plugins that care wake their pods.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { Informer } from '../client/informer.ts';
import type { SchedulerCache } from './cache.ts';
import { ClusterEvent, assignedPodUpdateEvents, nodeUpdateEvents } from './cluster-events.ts';
import { newPodInfo, podKey } from './pod-info.ts';
import type { SchedulingQueue } from './scheduling-queue.ts';

export const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
export const isAssigned = (pod: Pod): boolean => !!pod.spec?.nodeName;

/** Waiting for a node, and allowed to get one (not finished, not deleted, no scheduling gates). */
export function needsScheduling(pod: Pod): boolean {
  return !isAssigned(pod) && !isTerminal(pod) && !pod.metadata?.deletionTimestamp && !(pod.spec?.schedulingGates?.length);
}

/** upstream's isPodUpdated: a change beyond status, resourceVersion, managedFields, generation, finalizers. */
export function podUpdated(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod): string => {
    const { resourceVersion: _rv, managedFields: _mf, generation: _g, finalizers: _f, ...meta } = p.metadata ?? {};
    return JSON.stringify([meta, p.spec]);
  };
  return strip(oldPod) !== strip(newPod);
}

export interface HandlerTarget {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  /** spec.schedulerName is ours. */
  responsibleFor(pod: Pod): boolean;
}

export function addPodHandlers(pods: Informer<Pod>, t: HandlerTarget): void {
  const { cache, queue } = t;
  const placed = (pod: Pod, old?: Pod): void => {
    const key = podKey(pod);
    queue.delete(key);
    if (isTerminal(pod)) {
      if (!cache.has(key)) return;
      cache.removePod(pod);
      queue.moveOnEvent(ClusterEvent.AssignedPodDelete);
      return;
    }
    const arrived = !cache.has(key) || cache.isAssumed(key) || !old || !isAssigned(old);
    cache.addPod(pod);
    if (arrived) queue.moveOnEvent(ClusterEvent.AssignedPodAdd);
    else {
      const events = assignedPodUpdateEvents(old, pod);
      if (events) queue.moveOnEvent(events);
    }
  };
  const pending = (pod: Pod, old?: Pod): void => {
    const key = podKey(pod);
    if (cache.isAssumed(key)) return; // being bound by us: the informer has not caught up yet
    if (!t.responsibleFor(pod) || !needsScheduling(pod)) {
      queue.delete(key);
      return;
    }
    if (old) queue.update(newPodInfo(pod), podUpdated(old, pod));
    else queue.add(newPodInfo(pod));
  };
  pods
    .on('add', (pod) => (isAssigned(pod) ? placed(pod) : pending(pod)))
    .on('update', (old, pod) => (isAssigned(pod) ? placed(pod, old) : pending(pod, old)))
    .on('delete', (pod) => {
      const key = podKey(pod);
      queue.delete(key);
      if (!cache.has(key)) return;
      cache.removePod(pod);
      queue.moveOnEvent(ClusterEvent.AssignedPodDelete);
    });
}

export function addNodeHandlers(nodes: Informer<Node>, t: HandlerTarget): void {
  const { cache, queue } = t;
  nodes
    .on('add', (node) => {
      cache.addNode(node);
      queue.moveOnEvent(ClusterEvent.NodeAdd);
    })
    .on('update', (old, node) => {
      const events = nodeUpdateEvents(old, node);
      cache.updateNode(node);
      if (events) queue.moveOnEvent(events);
    })
    .on('delete', (node) => {
      cache.removeNode(node.metadata!.name!);
      queue.moveOnEvent(ClusterEvent.NodeDelete);
    });
}
