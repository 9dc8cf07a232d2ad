// Removing a node: cordon, drain, stop the agent, `kubelab-agent reset` (its containers, mounts,
// network namespaces, cgroups, CNI state: only the agent's own, never a flush), the files
// provisioning installed, and the Node. When the host cannot be reached, only the Node goes and
// the result says what stays on the machine.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { isNotFound } from '../../client/api-error.ts';
import { serviceControl } from '../install/agent-service.ts';
import { NODE_PATHS } from '../install/node-layout.ts';
import { gatherFacts } from '../preflight/host-facts.ts';
import { step, type ProgressListener } from '../progress.ts';
import type { RemoteHost } from '../remote-host.ts';
import { removePaths, root } from './remote-commands.ts';

/** Set by a kubelet on the API copy of a static pod. */
export const mirrorPodAnnotation = 'kubernetes.io/config.mirror';

export interface RemoveOptions {
  client: KubeClient;
  nodeName: string;
  /** undefined when the host is unreachable (the user forced the removal). */
  host?: RemoteHost;
  /** Clean the host even when the API does not answer (lab down); the Node is then left. */
  apiOptional?: boolean;
  drainTimeoutMs?: number;
  report?: ProgressListener;
}

export interface RemoveResult {
  /** What is still on the host ([] when clean, or everything when it was not reached). */
  left: string[];
}

export async function removeNode(o: RemoveOptions): Promise<RemoveResult> {
  const report = o.report ?? (() => undefined);
  const label = o.host?.label ?? o.nodeName;
  const phase = <T>(name: string, work: () => Promise<T>) => step(report, label, name, work);
  let apiDown = false;
  const node = await o.client.get<Node>(gvr.nodes, undefined, o.nodeName).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    if (!o.apiOptional) throw e;
    apiDown = true;
    return undefined;
  });
  if (node) {
    await phase('cordon', () => o.client.patch(gvr.nodes, undefined, o.nodeName, { spec: { unschedulable: true } }, 'merge'));
    await phase('drain', () => drain(o.client, o.nodeName, o.drainTimeoutMs ?? 120_000));
  }
  let left: string[] = [];
  if (o.host) left = await phase('reset', () => resetHost(o.host!));
  else left = [`everything the agent installed on ${o.nodeName} (the host was not reached): run "node ${NODE_PATHS.bundle} reset" there`];
  if (node) await phase('delete', () => o.client.delete(gvr.nodes, undefined, o.nodeName).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))));
  if (apiDown) left.push(`the Node ${o.nodeName} in the cluster (its API did not answer)`);
  return { left };
}

/**
 * Deletes the node's pods (not its DaemonSet pods, which the DaemonSet would put back, nor mirror
 * pods, which only their kubelet can remove, as `kubectl drain --ignore-daemonsets
 * --delete-emptydir-data`) with their grace periods, and waits until they are gone.
 */
export async function drain(client: KubeClient, nodeName: string, timeoutMs: number): Promise<void> {
  const onNode = async () => (await client.list<Pod>(gvr.pods, { fieldSelector: `spec.nodeName=${nodeName}` })).items
    .filter((p) => !p.metadata?.ownerReferences?.some((r) => r.kind === 'DaemonSet') && !p.metadata?.annotations?.[mirrorPodAnnotation]);
  for (const p of await onNode()) {
    await client.delete(gvr.pods, p.metadata!.namespace, p.metadata!.name!).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  }
  const deadline = Date.now() + timeoutMs;
  for (let pods = await onNode(); pods.length > 0; pods = await onNode()) {
    if (Date.now() > deadline) throw new Error(`drain ${nodeName}: ${pods.length} pods still there after ${Math.round(timeoutMs / 1000)} s: ${pods.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Stops the agent, resets what it made, removes every installed file; returns what is left. */
async function resetHost(host: RemoteHost): Promise<string[]> {
  const { facts } = await gatherFacts(host);
  const service = serviceControl(facts.init);
  await root(host, `${service.stop} >/dev/null 2>&1; ${service.disable} >/dev/null 2>&1; true`, 'stopping the agent');
  // The agent's own reset: pods' containers, mounts, netns, cgroups and its state folder.
  const node = facts.commands.node ?? 'node';
  await root(host, `if [ -f ${NODE_PATHS.bundle} ]; then ${node} ${NODE_PATHS.bundle} reset --state-dir ${NODE_PATHS.stateDir}; fi`, 'kubelab-agent reset', 120_000);
  const paths = [NODE_PATHS.libDir, NODE_PATHS.configDir, NODE_PATHS.logDir, NODE_PATHS.stateDir, ...service.paths];
  return removePaths(host, paths);
}
