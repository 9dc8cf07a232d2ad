// The scheduler cache (pkg/scheduler/backend/cache): every node and every pod that holds a
// place on one — bound pods from the informer and "assumed" pods the scheduler has just chosen a
// node for, counted at once so the next cycle sees the place taken although the binding is still
// on the wire. An assumed pod is confirmed when the informer shows it bound, and forgotten if the
// binding fails. Updated incrementally from informer events; a scheduling cycle reads it
// synchronously, so it needs no snapshot.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { NodeInfo } from './node-info.ts';
import { hasPodAffinity, newPodInfo, podKey, type NamespaceLabels, type PodInfo } from './pod-info.ts';

export interface PodState {
  info: PodInfo;
  node: NodeInfo;
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /** Nodes that have a Node object, in a stable order for round-robin filtering. */
  private readonly list: NodeInfo[] = [];
  private readonly pods = new Map<string, PodState>();
  private readonly byNamespace = new Map<string, Map<string, PodState>>();
  private readonly withAffinity = new Set<PodState>();
  private readonly withRequiredAntiAffinity = new Set<PodState>();
  /** Spreading controller uid → nodes holding its replicas. */
  private readonly ownerNodes = new Map<string, Set<NodeInfo>>();

  constructor(readonly namespaceLabels: NamespaceLabels = () => undefined) {}

  nodeList(): readonly NodeInfo[] {
    return this.list;
  }

  node(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node ? n : undefined;
  }

  /** Pods with any pod (anti-)affinity term, cluster-wide. */
  podsWithAffinity(): ReadonlySet<PodState> {
    return this.withAffinity;
  }

  podsWithRequiredAntiAffinity(): ReadonlySet<PodState> {
    return this.withRequiredAntiAffinity;
  }

  podsInNamespace(namespace: string): Iterable<PodState> {
    return this.byNamespace.get(namespace)?.values() ?? [];
  }

  /** Every pod placed on a node, for terms that select pods in other namespaces. */
  allPods(): Iterable<PodState> {
    return this.pods.values();
  }

  /** Nodes holding non-terminating replicas of the controller. */
  nodesOfOwner(uid: string): ReadonlySet<NodeInfo> {
    return this.ownerNodes.get(uid) ?? new Set();
  }

  podCount(): number {
    return this.pods.size;
  }

  addNode(node: Node): void {
    const info = this.nodeInfo(node.metadata!.name!);
    if (!info.node) {
      info.index = this.list.length;
      this.list.push(info);
    }
    info.setNode(node);
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info?.node) return;
    const last = this.list.pop()!;
    if (last !== info) {
      last.index = info.index;
      this.list[info.index] = last;
    }
    info.node = undefined;
    info.index = -1;
    // Its pods stay accounted until they are deleted too (upstream keeps such a "ghost" node).
    if (info.pods.size === 0) this.nodes.delete(name);
  }

  /** A pod the informer shows on a node (confirming it if it was assumed). */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    if (this.pods.has(key)) this.removePodKey(key);
    this.place(newPodInfo(pod), pod.spec!.nodeName!, false);
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    this.removePodKey(podKey(pod));
  }

  /** Counts the pod on the node before its binding is written (Cache.AssumePod). */
  assumePod(info: PodInfo, nodeName: string): void {
    if (this.pods.has(info.key)) this.removePodKey(info.key);
    this.place(info, nodeName, true);
  }

  /** The binding failed: the assumed pod gives its place back (Cache.ForgetPod). */
  forgetPod(key: string): void {
    if (this.pods.get(key)?.assumed) this.removePodKey(key);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  private nodeInfo(name: string): NodeInfo {
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name)));
    return info;
  }

  private place(info: PodInfo, nodeName: string, assumed: boolean): void {
    const node = this.nodeInfo(nodeName);
    const state: PodState = { info, node, assumed };
    this.pods.set(info.key, state);
    let ns = this.byNamespace.get(info.namespace);
    if (!ns) this.byNamespace.set(info.namespace, (ns = new Map()));
    ns.set(info.key, state);
    if (hasPodAffinity(info)) this.withAffinity.add(state);
    if (info.requiredAntiAffinity.length > 0) this.withRequiredAntiAffinity.add(state);
    node.addPod(info);
    if (info.spreadOwner && !info.terminating) {
      let set = this.ownerNodes.get(info.spreadOwner);
      if (!set) this.ownerNodes.set(info.spreadOwner, (set = new Set()));
      set.add(node);
    }
  }

  private removePodKey(key: string): void {
    const state = this.pods.get(key);
    if (!state) return;
    this.pods.delete(key);
    const ns = this.byNamespace.get(state.info.namespace);
    ns?.delete(key);
    if (ns?.size === 0) this.byNamespace.delete(state.info.namespace);
    this.withAffinity.delete(state);
    this.withRequiredAntiAffinity.delete(state);
    const node = state.node;
    node.removePod(key);
    const owner = state.info.spreadOwner;
    if (owner && !node.spreadCounts.has(owner)) {
      const set = this.ownerNodes.get(owner);
      set?.delete(node);
      if (set?.size === 0) this.ownerNodes.delete(owner);
    }
    if (!node.node && node.pods.size === 0) this.nodes.delete(node.name);
  }
}
