// Generic object calls.
import { gvr } from '../../client/resources.ts';
import type { ClusterMethods, ObjectRef } from '../api/cluster.ts';
import * as check from '../check.ts';
import { kindSpec } from '../kinds.ts';
import type { MethodTable } from '../method.ts';
import { KIND_NAMES } from '../protocol.ts';
import type { ServiceDeps } from './deps.ts';

/** Checks an ObjectRef from a renderer. */
export function objectRef(value: unknown, method: string): ObjectRef {
  const p = check.params(value, method);
  const kind = check.oneOf(p, 'kind', method, KIND_NAMES);
  const namespace = check.optionalName(p, 'namespace', method);
  return { kind, name: check.name(p, 'name', method), ...(namespace ? { namespace } : {}) };
}

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
    deleteObject: {
      check: (value) => objectRef(value, 'deleteObject'),
      async run({ kind, namespace, name }) {
        await client.delete(kindSpec(kind).gvr, namespace, name);
        return null;
      },
    },
  };
}
