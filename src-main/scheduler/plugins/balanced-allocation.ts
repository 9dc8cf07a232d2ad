// NodeResourcesBalancedAllocation: prefers the node where, with the pod placed, cpu and memory
// would be used in the most equal shares (score = (1 - standard deviation of the fractions) ×
// 100), on the real requests. Best-effort pods (no requests) skip it, as upstream does since
// v1.33, so that they do not all pile onto one node.
import {
  Skip, maxNodeScore, type CycleContext, type NodeScorer, type ScorePlugin,
} from '../framework.ts';

export class BalancedAllocation implements ScorePlugin {
  readonly name = 'NodeResourcesBalancedAllocation';
  readonly weight = 1;

  preScore({ pod }: CycleContext): NodeScorer | typeof Skip {
    const { milliCPU, memory } = pod.requests;
    if (milliCPU === 0 && memory === 0) return Skip;
    return {
      score: (node) => {
        // With one resource (or none) known, the deviation is 0.
        if (node.allocMilliCPU <= 0 || node.allocMemory <= 0) return maxNodeScore;
        const cpu = Math.min(1, (node.reqMilliCPU + milliCPU) / node.allocMilliCPU);
        const mem = Math.min(1, (node.reqMemory + memory) / node.allocMemory);
        return Math.trunc((1 - Math.abs(cpu - mem) / 2) * maxNodeScore);
      },
    };
  }
}
