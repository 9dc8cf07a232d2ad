// One scheduling cycle's algorithm (schedule_one.go schedulePod): PreFilter, Filter over the
// nodes until enough feasible ones are found, PreScore/Score/NormalizeScore over those, weighted
// sum, pick the best (ties at random). It runs synchronously over the cache: nothing changes
// underneath it, and no snapshot is needed.
//
// Like upstream it does not look at every node of a big cluster: it stops filtering after
// numFeasibleNodesToFind feasible nodes (adaptive percentageOfNodesToScore: 50% − nodes/125,
// at least 5%, at least 100 nodes), and the next cycle starts where this one stopped, so every
// node gets its turn.
import type { SchedulerCache } from './cache.ts';
import { errNoNodesAvailable, fitErrorMessage, type Diagnosis } from './fit-error.ts';
import {
  Skip, isStatus, unresolvable, type CycleContext, type FilterPlugin, type NodeFilter, type Status,
} from './framework.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';
import type { Profile } from './plugins/index.ts';
import { preemptionMessage } from './preemption.ts';

export const minFeasibleNodesToFind = 100;
export const minFeasibleNodesPercentageToFind = 5;

export type ScheduleOutcome =
  | { kind: 'scheduled'; node: NodeInfo; evaluated: number; feasible: number }
  | { kind: 'unschedulable'; message: string; diagnosis: Diagnosis }
  | { kind: 'noNodes'; message: string };

/** numFeasibleNodesToFind; percentage 0 means adaptive. */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let p = percentage;
  if (p <= 0) p = Math.max(minFeasibleNodesPercentageToFind, 50 - Math.trunc(numAllNodes / 125));
  return Math.max(minFeasibleNodesToFind, Math.trunc((numAllNodes * p) / 100));
}

interface Filters {
  fns: { plugin: FilterPlugin; fn: NodeFilter }[];
  nodeNames?: Set<string>;
  narrowedBy: string[];
  rejected?: Status;
}

export class Algorithm {
  private nextStartNodeIndex = 0;

  constructor(
    private readonly profile: Profile,
    private readonly cache: SchedulerCache,
    private readonly opts: { percentageOfNodesToScore?: number; random?: () => number } = {},
  ) {}

  schedule(pod: PodInfo): ScheduleOutcome {
    const all = this.cache.nodeList();
    if (all.length === 0) return { kind: 'noNodes', message: errNoNodesAvailable };
    const cycle: CycleContext = { pod, cache: this.cache };
    const filters = this.preFilter(cycle);
    const diagnosis: Diagnosis = { numAllNodes: all.length, statuses: new Map(), rejectors: new Set() };
    if (filters.rejected) {
      diagnosis.preFilterStatus = filters.rejected;
      diagnosis.rejectors.add(filters.rejected.plugin);
      return this.unschedulable(pod, diagnosis, all, filters);
    }
    let nodes = all;
    if (filters.nodeNames) {
      nodes = [...filters.nodeNames].map((n) => this.cache.node(n)).filter((n): n is NodeInfo => !!n);
      diagnosis.absentStatus = unresolvable(filters.narrowedBy[0], `node(s) didn't satisfy plugin(s) [${filters.narrowedBy.sort().join(' ')}]`);
      for (const p of filters.narrowedBy) diagnosis.rejectors.add(p);
    }
    const feasible = this.findNodesThatPassFilters(nodes, all.length, filters, diagnosis);
    if (feasible.length === 0) return this.unschedulable(pod, diagnosis, all, filters);
    const evaluated = feasible.length + diagnosis.statuses.size;
    if (feasible.length === 1) return { kind: 'scheduled', node: feasible[0], evaluated, feasible: 1 };
    return { kind: 'scheduled', node: this.selectHost(feasible, this.prioritize(cycle, feasible)), evaluated, feasible: feasible.length };
  }

  private preFilter(cycle: CycleContext): Filters {
    const out: Filters = { fns: [], narrowedBy: [] };
    for (const plugin of this.profile.filters) {
      const r = plugin.preFilter(cycle);
      if (r === Skip) continue;
      if (isStatus(r)) return { ...out, rejected: r };
      if (typeof r === 'function') {
        out.fns.push({ plugin, fn: r });
        continue;
      }
      out.fns.push({ plugin, fn: r.filter });
      if (r.nodeNames) {
        out.nodeNames = out.nodeNames ? new Set([...out.nodeNames].filter((n) => r.nodeNames!.has(n))) : new Set(r.nodeNames);
        out.narrowedBy.push(plugin.name);
      }
    }
    return out;
  }

  private findNodesThatPassFilters(nodes: readonly NodeInfo[], numAll: number, filters: Filters, d: Diagnosis): NodeInfo[] {
    const want = numFeasibleNodesToFind(nodes.length, this.opts.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const n = nodes.length;
    const start = n === 0 ? 0 : this.nextStartNodeIndex % n;
    let processed = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const node = nodes[(start + i) % n];
      processed++;
      let failed: Status | undefined;
      for (const { fn } of filters.fns) {
        failed = fn(node);
        if (failed) break;
      }
      if (failed) {
        d.statuses.set(node, failed);
        d.rejectors.add(failed.plugin);
      } else {
        feasible.push(node);
      }
    }
    this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % numAll;
    return feasible;
  }

  /** Weighted sum of the normalised scores of every plugin that did not skip. */
  private prioritize(cycle: CycleContext, nodes: readonly NodeInfo[]): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    const raw = new Array<number>(nodes.length).fill(0);
    for (const plugin of this.profile.scores) {
      const scorer = plugin.preScore(cycle, nodes);
      if (scorer === Skip) continue;
      for (let i = 0; i < nodes.length; i++) raw[i] = scorer.score(nodes[i]);
      scorer.normalize?.(raw, nodes);
      for (let i = 0; i < nodes.length; i++) totals[i] += raw[i] * plugin.weight;
    }
    return totals;
  }

  /** The highest total; among equals, each has the same chance (reservoir sampling). */
  private selectHost(nodes: readonly NodeInfo[], totals: readonly number[]): NodeInfo {
    const random = this.opts.random ?? Math.random;
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i] > totals[best]) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (Math.floor(random() * ties) === 0) best = i;
      }
    }
    return nodes[best];
  }

  private unschedulable(pod: PodInfo, d: Diagnosis, all: readonly NodeInfo[], filters: Filters): ScheduleOutcome {
    const postFilterMsg = preemptionMessage(pod, d, all, filters.fns.map((f) => f.fn));
    return { kind: 'unschedulable', message: fitErrorMessage(d, postFilterMsg), diagnosis: d };
  }
}
