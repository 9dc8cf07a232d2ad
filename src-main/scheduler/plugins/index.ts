// The default profile (pkg/scheduler/apis/config/v1 default_plugins.go), with the plugins this
// scheduler has: filters in upstream's order — the first that rejects a node is the reason shown
// for it — and scores with upstream's weights (TaintToleration 3, NodeAffinity 2,
// PodTopologySpread 2, InterPodAffinity 2, NodeResourcesFit 1, BalancedAllocation 1).
import type { FilterPlugin, ScorePlugin } from '../framework.ts';
import { BalancedAllocation } from './balanced-allocation.ts';
import { InterPodAffinity } from './inter-pod-affinity.ts';
import { NodeAffinity } from './node-affinity.ts';
import { NodeName } from './node-name.ts';
import { NodePorts } from './node-ports.ts';
import { NodeResourcesFit } from './node-resources-fit.ts';
import { NodeUnschedulable } from './node-unschedulable.ts';
import { PodTopologySpread } from './pod-topology-spread.ts';
import { TaintToleration } from './taint-toleration.ts';

export interface Profile {
  schedulerName: string;
  filters: FilterPlugin[];
  scores: ScorePlugin[];
}

export function defaultProfile(): Profile {
  const taints = new TaintToleration();
  const nodeAffinity = new NodeAffinity();
  const fit = new NodeResourcesFit();
  const spread = new PodTopologySpread();
  const interPod = new InterPodAffinity();
  return {
    schedulerName: 'default-scheduler',
    filters: [new NodeUnschedulable(), new NodeName(), taints, nodeAffinity, new NodePorts(), fit, spread, interPod],
    scores: [taints, nodeAffinity, fit, spread, interPod, new BalancedAllocation()],
  };
}
