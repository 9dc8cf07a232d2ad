// NodePorts: a pod's hostPorts must be free on the node (same port and protocol, on the same host
// IP or on 0.0.0.0 either side).
import { ClusterEvent } from '../cluster-events.ts';
import { Skip, unschedulable, type CycleContext, type FilterPlugin, type NodeFilter } from '../framework.ts';

export const errReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";

export class NodePorts implements FilterPlugin {
  readonly name = 'NodePorts';
  readonly events = ClusterEvent.NodeAdd | ClusterEvent.AssignedPodDelete;

  preFilter({ pod }: CycleContext): NodeFilter | typeof Skip {
    const ports = pod.hostPorts;
    if (ports.length === 0) return Skip;
    return (node) => (node.portsConflict(ports) ? unschedulable(this.name, errReasonNodePorts) : undefined);
  }
}
