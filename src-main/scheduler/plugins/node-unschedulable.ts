// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import { ClusterEvent } from '../cluster-events.ts';
import { tolerates } from '../corev1/taints.ts';
import { unresolvable, type CycleContext, type FilterPlugin, type NodeFilter } from '../framework.ts';
import { taintNodeUnschedulable } from '../node-info.ts';

export const errReasonUnschedulable = 'node(s) were unschedulable';

export class NodeUnschedulable implements FilterPlugin {
  readonly name = 'NodeUnschedulable';
  readonly events = ClusterEvent.NodeAdd | ClusterEvent.NodeTaint;

  preFilter({ pod }: CycleContext): NodeFilter {
    const tolerated = tolerates(pod.pod.spec?.tolerations, { key: taintNodeUnschedulable, effect: 'NoSchedule' });
    return (node) => (node.unschedulable && !tolerated ? unresolvable(this.name, errReasonUnschedulable) : undefined);
  }
}
