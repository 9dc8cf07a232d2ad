import { describe, expect, it } from 'vitest';
import { ApplyConflictError, applyConflictStatus, serverSideApply, updateManagedFields } from '../../../../src-main/api/apply/index.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { deployment, deploymentSchema, entryOf, t0, t1, t2 } from './fixtures.ts';

const schema = deploymentSchema;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** An object as `kubectl apply` (client-side) leaves it: annotation plus an Update entry. */
function clientSideApplied(config: KubeObject): KubeObject {
  const annotated = { ...config, metadata: { ...config.metadata, annotations: { [LAST_APPLIED]: JSON.stringify(config) } } };
  return updateManagedFields({ live: undefined, updated: annotated, manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', now: t0, schema });
}

function ssa(live: KubeObject, applied: KubeObject, manager = 'kubectl', now = t1): KubeObject {
  return serverSideApply({ live, applied, manager, force: false, apiVersion: 'apps/v1', now, schema });
}

describe('moving from client-side to server-side apply', () => {
  it('lets kubectl take over fields that still hold the last client-side applied values', () => {
    const live = clientSideApplied(deployment({ replicas: 2 }));
    const out = ssa(live, deployment({ replicas: 3 }));
    expect((out.spec as any).replicas).toBe(3);
    expect(JSON.stringify(entryOf(out, 'kubectl', 'Apply')?.fieldsV1)).toContain('f:replicas');
    expect(JSON.stringify(entryOf(out, 'kubectl-client-side-apply')?.fieldsV1 ?? {})).not.toContain('f:replicas');
  });

  it('keeps the annotation in step with what kubectl applied server-side', () => {
    const live = clientSideApplied(deployment({ replicas: 2 }));
    const out = ssa(live, deployment({ replicas: 3 }));
    const text = out.metadata.annotations?.[LAST_APPLIED] ?? '';
    expect(text.endsWith('\n')).toBe(true);
    const recorded = JSON.parse(text);
    expect(recorded.spec.replicas).toBe(3);
    expect(recorded.metadata.annotations).toBeUndefined();
  });

  it('still reports conflicts on fields someone changed since the client-side apply', () => {
    const live = clientSideApplied(deployment({ replicas: 2 }));
    const scaled = updateManagedFields({
      live,
      updated: { ...live, spec: { ...(live.spec as object), replicas: 5 } },
      manager: 'kubectl-scale',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: t1,
      schema,
    });
    let err: unknown;
    try {
      ssa(scaled, deployment({ replicas: 3 }), 'kubectl', t2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApplyConflictError);
    expect(applyConflictStatus(err as ApplyConflictError).message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
    );
  });

  it('does this only for kubectl: other appliers conflict with the client-side applier', () => {
    const live = clientSideApplied(deployment({ replicas: 2 }));
    expect(() => ssa(live, deployment({ replicas: 3 }), 'my-controller')).toThrow(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
  });

  it('leaves objects without the annotation alone', () => {
    const live = serverSideApply({ live: undefined, applied: deployment({ replicas: 2 }), manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0, schema });
    const out = ssa(live, deployment({ replicas: 2 }));
    expect(out.metadata.annotations).toBeUndefined();
  });
});
