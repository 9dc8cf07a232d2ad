// Generic object calls.
import { gvr } from '../../client/resources.ts';
import * as check from '../check.ts';
import type { MethodTable } from '../method.ts';
import type { ClusterMethods } from '../api/cluster.ts';
import type { ServiceDeps } from './deps.ts';

export function clusterServices({ client }: ServiceDeps): MethodTable<keyof ClusterMethods> {
  return {
    deletePod: {
      check(value) {
        const p = check.params(value, 'deletePod');
        return { namespace: check.name(p, 'namespace', 'deletePod'), name: check.name(p, 'name', 'deletePod') };
      },
      async run({ namespace, name }) {
        await client.delete(gvr.pods, namespace, name);
        return null;
      },
    },
  };
}
