// The scheduling framework's extension points (pkg/scheduler/framework/interface.go), reduced to
// what the default profile uses. A cycle asks each plugin once for its per-cycle state — PreFilter
// returns a node filter (or Skip, or a status that rejects the pod outright), PreScore returns a
// node scorer (or Skip) — and then runs those closures over the nodes. The closures are the
// cycle state: nothing per-pod lives in the plugins themselves.
import type { ClusterEventMask } from './cluster-events.ts';
import type { SchedulerCache } from './cache.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';

export type StatusCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

/** Why a node cannot take the pod. Success is the absence of a status. */
export interface Status {
  code: StatusCode;
  reasons: readonly string[];
  plugin: string;
}

export function unschedulable(plugin: string, ...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons, plugin };
}

/** Preemption could not help: no node would take the pod even with every other pod gone. */
export function unresolvable(plugin: string, ...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons, plugin };
}

/** "This plugin has nothing to check or score for this pod." */
export const Skip = Symbol('Skip');

/** What a cycle is about: the pod and the cache it reads. */
export interface CycleContext {
  pod: PodInfo;
  cache: SchedulerCache;
}

export type NodeFilter = (node: NodeInfo) => Status | undefined;

/** PreFilter may narrow the nodes to look at (NodeAffinity's matchFields on metadata.name). */
export interface PreFilterResult {
  filter: NodeFilter;
  nodeNames?: ReadonlySet<string>;
}

export interface FilterPlugin {
  readonly name: string;
  /** Cluster events that can make a pod this plugin rejected schedulable again. */
  readonly events: ClusterEventMask;
  preFilter(cycle: CycleContext): PreFilterResult | NodeFilter | Status | typeof Skip;
}

export interface NodeScorer {
  score(node: NodeInfo): number;
  /** NormalizeScore: brings the raw scores of the feasible nodes to 0–100, in place. */
  normalize?(scores: number[], nodes: readonly NodeInfo[]): void;
}

export interface ScorePlugin {
  readonly name: string;
  /** The default profile's weight of the plugin. */
  readonly weight: number;
  preScore(cycle: CycleContext, nodes: readonly NodeInfo[]): NodeScorer | typeof Skip;
}

export const maxNodeScore = 100;

/** pluginhelper.DefaultNormalizeScore: scale to 0–100 by the maximum; reverse turns it around. */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(maxNodeScore);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((maxNodeScore * scores[i]) / max);
    scores[i] = reverse ? maxNodeScore - s : s;
  }
}

export function isStatus(x: unknown): x is Status {
  return typeof x === 'object' && x !== null && 'code' in x && 'reasons' in x;
}
