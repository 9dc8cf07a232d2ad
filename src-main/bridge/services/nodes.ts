// Node actions (cordon, drain, remove) and the usage history behind the Overview's charts.
import type { Pod } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { NodeRegistry } from '../../provision/cli/node-registry.ts';
import { drain, mirrorPodAnnotation } from '../../provision/join/remove-node.ts';
import type { NodeMethods, RemoveNodeMessage, UsageMessage } from '../api/nodes.ts';
import * as check from '../check.ts';
import type { MethodTable } from '../method.ts';
import { removeSshNode, sshNodeRecord } from '../nodes/remove-ssh-node.ts';
import { UsageSampler } from '../nodes/usage-sampler.ts';
import { ServiceError } from '../service-error.ts';
import { sshSecretsOf, type ServiceDeps } from './deps.ts';

const DRAIN_TIMEOUT_MS = 120_000;

const noParams = (method: string) => (value: unknown): Record<string, never> => {
  check.params(value ?? {}, method);
  return {};
};

/** kubectl drain's check without --force: a pod no controller owns would be gone for good. */
async function refuseUnmanagedPods(client: KubeClient, node: string): Promise<void> {
  const pods = (await client.list<Pod>(gvr.pods, { fieldSelector: `spec.nodeName=${node}` })).items;
  const bare = pods.filter((p) => !p.metadata?.ownerReferences?.some((r) => r.controller) && !p.metadata?.annotations?.[mirrorPodAnnotation]);
  if (bare.length > 0) {
    const names = bare.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(', ');
    throw new ServiceError(`cannot delete Pods that declare no controller (use force to override): ${names}`, 409);
  }
}

export function nodeServices(deps: ServiceDeps): MethodTable<keyof NodeMethods> {
  const { client, dataDir } = deps;
  // One sampler for every window: the history outlives a view and is shared.
  const sampler = new UsageSampler(client);
  const cordon = (name: string, unschedulable: boolean) => client.patch(gvr.nodes, undefined, name, { spec: { unschedulable } }, 'merge');
  return {
    cordonNode: {
      check(value) {
        const p = check.params(value, 'cordonNode');
        return { name: check.name(p, 'name', 'cordonNode'), unschedulable: check.boolean(p, 'unschedulable', 'cordonNode') };
      },
      async run({ name, unschedulable }) {
        await cordon(name, unschedulable);
        return null;
      },
    },
    drainNode: {
      check(value) {
        const p = check.params(value, 'drainNode');
        return { name: check.name(p, 'name', 'drainNode'), force: check.optionalBoolean(p, 'force', 'drainNode') ?? false };
      },
      async run({ name, force }) {
        if (!force) await refuseUnmanagedPods(client, name);
        await cordon(name, true);
        await drain(client, name, DRAIN_TIMEOUT_MS);
        return null;
      },
    },
    sshNodes: {
      check: noParams('sshNodes'),
      async run() {
        return dataDir ? Object.keys(new NodeRegistry(dataDir).all()).sort() : [];
      },
    },
    removeNode: {
      check(value) {
        const p = check.params(value, 'removeNode');
        const password = check.optionalString(p, 'password', 'removeNode', 4096);
        return { name: check.name(p, 'name', 'removeNode'), ...(password !== undefined ? { password } : {}) };
      },
      run({ name, password }, { session }) {
        if (!dataDir) throw new ServiceError('this cluster has no nodes added over SSH: delete the Node instead', 400);
        const secrets = sshSecretsOf(deps, dataDir);
        sshNodeRecord(dataDir, name, password, secrets);
        return session.openStream((handle) => {
          const push = (m: RemoveNodeMessage) => handle.push(m);
          removeSshNode({ client, dataDir, name, password, secrets, report: (event) => push({ type: 'step', event }) })
            .then(({ left }) => {
              push({ type: 'done', left });
              handle.end();
            }, (e: Error) => handle.end(e.message));
          // The removal runs to its end even if the window goes: stopping halfway would leave a
          // half-cleaned host.
          return { close() {} };
        });
      },
    },
    usageHistory: {
      check: noParams('usageHistory'),
      run(_params, { session }) {
        return session.openStream((handle) => {
          const push = (m: UsageMessage) => handle.push(m);
          push({ type: 'history', samples: [...sampler.history] });
          const unsubscribe = sampler.subscribe((sample) => push({ type: 'sample', sample }));
          return { close: unsubscribe };
        });
      },
    },
  };
}
