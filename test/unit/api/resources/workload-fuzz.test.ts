// Malformed bodies must give field errors, never an exception (which the server would turn into
// a 500): every field of valid workload objects is replaced in turn by values of the wrong type.
import { describe, expect, it } from 'vitest';
import { cronJob } from '../../../../src-main/api/resources/cronjob.ts';
import { daemonSet } from '../../../../src-main/api/resources/daemonset.ts';
import { deployment } from '../../../../src-main/api/resources/deployment.ts';
import { job } from '../../../../src-main/api/resources/job.ts';
import { pod } from '../../../../src-main/api/resources/pod.ts';
import { replicaSet } from '../../../../src-main/api/resources/replicaset.ts';
import type { KubeObject, ResourceDefinition } from '../../../../src-main/api/resources/types.ts';
import { create, examplesOfKind, update } from './workload-helpers.ts';

const wrongValues: unknown[] = [null, 'x', -1, 1.5, true, [], {}, [null], [1, 'a'], { a: null }];

/** Every path into obj (objects and arrays), as key lists. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  }
  return [];
}

function setAt(obj: unknown, path: (string | number)[], v: unknown): void {
  let o = obj as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = v;
}

const kinds: [ResourceDefinition, string][] = [
  [pod, 'Pod'],
  [deployment, 'Deployment'],
  [replicaSet, 'ReplicaSet'],
  [daemonSet, 'DaemonSet'],
  [job, 'Job'],
  [cronJob, 'CronJob'],
];

describe('workload kinds survive malformed bodies', () => {
  for (const [def, kind] of kinds) {
    it(`${kind}: wrong types anywhere give errors or a valid object, never a throw`, async () => {
      let refused = 0;
      let tried = 0;
      for (const { obj: base } of examplesOfKind(kind)) {
      const specPaths = paths(base).filter((p) => p[0] === 'spec');
      tried += specPaths.length;
      for (const path of specPaths) {
        for (const v of wrongValues) {
          const broken = structuredClone(base) as KubeObject;
          setAt(broken, path, structuredClone(v));
          const { obj, errors } = await create(def, broken);
          if (errors.length > 0) refused++;
          def.table?.cells(obj, new Date());
          await update(def, obj, obj);
        }
      }
      }
      // Most of these mutations are invalid; the check is that none of them threw.
      expect(refused).toBeGreaterThan(tried);
    });
  }
});
