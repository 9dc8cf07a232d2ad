// NodeResourcesFit: the pod's requests (cpu, memory, ephemeral storage, extended resources, one
// more pod) must fit in the node's allocatable minus what its pods already request; among the
// nodes left, the least allocated scores highest (LeastAllocated, cpu and memory weighted 1:1,
// on the "non-zero" requests). A request larger than the whole node is unresolvable: no
// preemption could make room for it.
import { ClusterEvent } from '../cluster-events.ts';
import {
  maxNodeScore, unresolvable, unschedulable, type CycleContext, type FilterPlugin, type NodeFilter, type NodeScorer,
  type ScorePlugin, type Status,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { Resources } from '../resources.ts';

export const errReasonTooManyPods = 'Too many pods';
export const insufficient = (resource: string): string => `Insufficient ${resource}`;

interface Shortfall {
  reason: string;
  unresolvable: boolean;
}

/** Whether the request fits, without allocating: the check every node of every cycle gets. */
export function fits(req: Resources, node: NodeInfo): boolean {
  if (node.podCount + 1 > node.allocPods) return false;
  const { milliCPU, memory, ephemeralStorage } = req;
  if (milliCPU > 0 && milliCPU > node.allocMilliCPU - node.reqMilliCPU) return false;
  if (memory > 0 && memory > node.allocMemory - node.reqMemory) return false;
  if (ephemeralStorage > 0 && ephemeralStorage > node.allocEphemeralStorage - node.reqEphemeralStorage) return false;
  if (req.scalar.size > 0) {
    for (const [name, want] of req.scalar) if (want > 0 && want > (node.allocScalar.get(name) ?? 0) - (node.reqScalar.get(name) ?? 0)) return false;
  }
  return true;
}

/** What the node lacks for the request (fitsRequest), empty when it fits. */
export function insufficientResources(req: Resources, node: NodeInfo): Shortfall[] {
  const out: Shortfall[] = [];
  if (node.podCount + 1 > node.allocPods) out.push({ reason: errReasonTooManyPods, unresolvable: false });
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0) return out;
  const check = (name: string, want: number, total: number, used: number): void => {
    if (want > 0 && want > total - used) out.push({ reason: insufficient(name), unresolvable: want > total });
  };
  check('cpu', req.milliCPU, node.allocMilliCPU, node.reqMilliCPU);
  check('memory', req.memory, node.allocMemory, node.reqMemory);
  check('ephemeral-storage', req.ephemeralStorage, node.allocEphemeralStorage, node.reqEphemeralStorage);
  for (const [name, want] of req.scalar) check(name, want, node.allocScalar.get(name) ?? 0, node.reqScalar.get(name) ?? 0);
  return out;
}

function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = 'NodeResourcesFit';
  readonly weight = 1;
  readonly events = ClusterEvent.NodeAdd | ClusterEvent.NodeAllocatable | ClusterEvent.AssignedPodDelete;

  preFilter({ pod }: CycleContext): NodeFilter {
    const req = pod.requests;
    return (node): Status | undefined => {
      if (fits(req, node)) return undefined;
      const short = insufficientResources(req, node);
      if (short.length === 0) return undefined;
      const reasons = short.map((s) => s.reason);
      return short.some((s) => s.unresolvable) ? unresolvable(this.name, ...reasons) : unschedulable(this.name, ...reasons);
    };
  }

  preScore({ pod }: CycleContext): NodeScorer {
    const { milliCPU, memory } = pod.nonZeroRequests;
    return {
      score: (node) => {
        let sum = 0;
        let weights = 0;
        if (node.allocMilliCPU > 0) {
          sum += leastRequestedScore(node.nonZeroMilliCPU + milliCPU, node.allocMilliCPU);
          weights++;
        }
        if (node.allocMemory > 0) {
          sum += leastRequestedScore(node.nonZeroMemory + memory, node.allocMemory);
          weights++;
        }
        return weights === 0 ? 0 : Math.trunc(sum / weights);
      },
    };
  }
}
