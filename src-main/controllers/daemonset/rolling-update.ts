// A DaemonSet's RollingUpdate (upstream's rollingUpdate in daemon/update.go), one decision per
// node between its old pod and its new one. Without surge, old pods are deleted while fewer than
// maxUnavailable nodes lack an available pod (an unavailable old pod may always go); the manage
// pass then creates the new pod once the old one is gone. With maxSurge, a new pod is created
// next to the old one (at most maxSurge at a time, or at once where the old one is unavailable),
// and the old one deleted when the new one is available.
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { isPodAvailable } from '../pod-state.ts';
import { isPodUpdated } from './daemon-pod.ts';
import type { NodeFit } from './eligibility.ts';

/** intstr.GetScaledValueFromIntOrPercent, rounding up as the DaemonSet controller does. */
export function scaledValue(v: number | string | undefined, total: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (m) return Math.ceil((Number(m[1]) * total) / 100);
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : fallback;
}

export interface RollingLimits {
  maxSurge: number;
  maxUnavailable: number;
}

export function rollingLimits(ds: DaemonSet, desired: number): RollingLimits {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge, desired, 0);
  let maxUnavailable = scaledValue(ru?.maxUnavailable, desired, 1);
  // an impossible configuration falls back to one unavailable at a time, as upstream
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export interface RollingInput {
  nodes: readonly Node[];
  fit: (node: Node) => NodeFit;
  nodeToPods: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  generation: string | undefined;
  limits: RollingLimits;
  minReadySeconds: number;
  now: number;
}

export interface RollingPlan {
  deletePods: Pod[];
  createOn: string[];
}

/** findUpdatedPodsOnNode: the node's new and old pod, ok false when it has more than one of either. */
function splitPods(pods: readonly Pod[], hash: string, generation: string | undefined): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/** Nodes in name order (upstream walks a map; a fixed order makes rollouts repeatable). */
function nodeEntries(input: RollingInput): [string, readonly Pod[], Node | undefined][] {
  const byName = new Map(input.nodes.map((n) => [n.metadata!.name!, n]));
  const names = new Set(input.nodeToPods.keys());
  for (const n of input.nodes) if (input.fit(n).shouldRun) names.add(n.metadata!.name!);
  return [...names].sort().map((name) => [name, input.nodeToPods.get(name) ?? [], byName.get(name)]);
}

export function planRollingUpdate(input: RollingInput): RollingPlan {
  return input.limits.maxSurge === 0 ? withoutSurge(input) : withSurge(input);
}

function withoutSurge(input: RollingInput): RollingPlan {
  const available = (p: Pod) => isPodAvailable(p, input.minReadySeconds, input.now);
  let numUnavailable = 0;
  const replaceNow: Pod[] = [];
  const candidates: Pod[] = [];
  for (const [, pods] of nodeEntries(input)) {
    const { newPod, oldPod, ok } = splitPods(pods, input.hash, input.generation);
    if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) {
      numUnavailable++; // the manage pass sorts this node out first
    } else if (newPod) {
      if (!available(newPod)) numUnavailable++;
    } else if (!available(oldPod!)) {
      replaceNow.push(oldPod!);
    } else if (numUnavailable < input.limits.maxUnavailable) {
      candidates.push(oldPod!);
    }
  }
  const room = Math.max(0, Math.min(input.limits.maxUnavailable - numUnavailable, candidates.length));
  return { deletePods: [...replaceNow, ...candidates.slice(0, room)], createOn: [] };
}

function withSurge(input: RollingInput): RollingPlan {
  const available = (p: Pod) => isPodAvailable(p, input.minReadySeconds, input.now);
  const deletePods: Pod[] = [];
  const leaving: Pod[] = [];
  const allowed: string[] = [];
  const candidates: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  let desired = 0;
  for (const [name, pods, node] of nodeEntries(input)) {
    const shouldRun = node ? input.fit(node).shouldRun : false;
    if (shouldRun) desired++;
    const { newPod, oldPod, ok } = splitPods(pods, input.hash, input.generation);
    if (!ok) {
      numSurge++; // excess pods: the manage pass cleans up, count it as surging
      continue;
    }
    const current = oldPod ?? newPod;
    if (current && available(current)) numAvailable++;
    if (!oldPod) continue; // nothing old here: the manage pass handles it
    if (!newPod) {
      if (!shouldRun) {
        // Leaving this node: an unavailable old pod goes now, an available one once enough
        // pods elsewhere are available.
        if (!available(oldPod)) deletePods.push(oldPod);
        else leaving.push(oldPod);
        continue;
      }
      if (!available(oldPod)) allowed.push(name);
      else if (numSurge < input.limits.maxSurge) candidates.push(name);
      continue;
    }
    if (!available(newPod)) numSurge++;
    else deletePods.push(oldPod);
  }
  deletePods.push(...leaving.slice(0, Math.max(0, numAvailable - desired)));
  const room = Math.max(0, Math.min(input.limits.maxSurge - numSurge, candidates.length));
  return { deletePods, createOn: [...allowed, ...candidates.slice(0, room)] };
}
