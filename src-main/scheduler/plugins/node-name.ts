// NodeName: a pod that names its node (spec.nodeName) fits only there. The scheduler never sees
// such pods (they are bound already), but the plugin belongs to the default profile, and the
// preemption message counts on it.
import { ClusterEvent } from '../cluster-events.ts';
import { Skip, unresolvable, type CycleContext, type FilterPlugin, type NodeFilter } from '../framework.ts';

export const errReasonNodeName = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = 'NodeName';
  readonly events = ClusterEvent.NodeAdd;

  preFilter({ pod }: CycleContext): NodeFilter | typeof Skip {
    const wanted = pod.pod.spec?.nodeName;
    if (!wanted) return Skip;
    return (node) => (node.name === wanted ? undefined : unresolvable(this.name, errReasonNodeName));
  }
}
