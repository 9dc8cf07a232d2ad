// Every upstream example manifest of the non-workload kinds is accepted unchanged and read back
// with upstream's defaults.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { clusterRole } from '../../../../src-main/api/resources/clusterrole.ts';
import { clusterRoleBinding } from '../../../../src-main/api/resources/clusterrolebinding.ts';
import { configMap } from '../../../../src-main/api/resources/configmap.ts';
import { horizontalPodAutoscaler } from '../../../../src-main/api/resources/horizontalpodautoscaler.ts';
import { namespace } from '../../../../src-main/api/resources/namespace.ts';
import { role } from '../../../../src-main/api/resources/role.ts';
import { roleBinding } from '../../../../src-main/api/resources/rolebinding.ts';
import { secret } from '../../../../src-main/api/resources/secret.ts';
import { service } from '../../../../src-main/api/resources/service.ts';
import { serviceAccount } from '../../../../src-main/api/resources/serviceaccount.ts';
import type { KubeObject, ResourceDefinition } from '../../../../src-main/api/resources/types.ts';
import { create, strategyContext } from './nonworkload-helpers.ts';

const kinds: Record<string, ResourceDefinition> = {
  Namespace: namespace,
  Service: service,
  ConfigMap: configMap,
  Secret: secret,
  ServiceAccount: serviceAccount,
  HorizontalPodAutoscaler: horizontalPodAutoscaler,
  Role: role,
  RoleBinding: roleBinding,
  ClusterRole: clusterRole,
  ClusterRoleBinding: clusterRoleBinding,
};

const root = resolve(import.meta.dirname, '../../../../../shared/k8s-examples');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const documents: { file: string; index: number; doc: KubeObject }[] = [];
for (const file of yamlFiles(root)) {
  parseAllDocuments(readFileSync(file, 'utf8')).forEach((d, index) => {
    const doc = d.toJS() as KubeObject | null;
    if (doc && typeof doc.kind === 'string' && doc.kind in kinds) documents.push({ file: relative(root, file), index, doc });
  });
}

describe('upstream example manifests of the non-workload kinds', () => {
  it('include every kind this test knows about', () => {
    const seen = new Set(documents.map((d) => d.doc.kind));
    for (const k of ['Namespace', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'HorizontalPodAutoscaler', 'ClusterRole', 'ClusterRoleBinding']) expect(seen).toContain(k);
  });

  const ctx = strategyContext();
  for (const { file, index, doc } of documents) {
    it(`${file} #${index} (${String(doc.kind)}) is valid and defaulted`, async () => {
      const def = kinds[String(doc.kind)];
      const { obj, errors } = await create(def, doc, ctx);
      expect(errors).toEqual([]);
      const spec = obj.spec as Record<string, unknown> | undefined;
      switch (doc.kind) {
        case 'Service': {
          expect(spec?.sessionAffinity).toBe('None');
          expect(spec?.type).toMatch(/^(ClusterIP|NodePort|LoadBalancer)$/);
          expect(spec?.ipFamilies).toEqual(['IPv4']);
          expect(spec?.internalTrafficPolicy).toBe('Cluster');
          for (const p of spec?.ports as Record<string, unknown>[]) {
            expect(p.protocol).toBeTruthy();
            expect(p.targetPort).toBeDefined();
          }
          if (spec?.clusterIP !== 'None') expect(spec?.clusterIP).toMatch(/^10\.43\.\d+\.\d+$/);
          expect(spec?.clusterIPs).toEqual([spec?.clusterIP]);
          if (spec?.type === 'NodePort') for (const p of spec.ports as Record<string, unknown>[]) expect(p.nodePort).toBeGreaterThanOrEqual(30000);
          break;
        }
        case 'Namespace':
          expect(spec?.finalizers).toEqual(['kubernetes']);
          expect((obj.status as Record<string, unknown>).phase).toBe('Active');
          expect(obj.metadata.labels?.['kubernetes.io/metadata.name']).toBe(obj.metadata.name);
          break;
        case 'Secret':
          expect(obj.type).toBe(doc.type ?? 'Opaque');
          // stringData is folded into data, base64-encoded, and never kept.
          expect(obj.stringData).toBeUndefined();
          for (const [k, v] of Object.entries((doc.stringData ?? {}) as Record<string, string>)) {
            expect(Buffer.from((obj.data as Record<string, string>)[k], 'base64').toString()).toBe(v);
          }
          break;
        case 'HorizontalPodAutoscaler':
          expect(spec?.minReplicas).toBeGreaterThanOrEqual(1);
          expect((spec?.metrics as unknown[]).length).toBeGreaterThan(0);
          break;
        case 'RoleBinding':
        case 'ClusterRoleBinding':
          expect((obj.roleRef as Record<string, unknown>).apiGroup).toBe('rbac.authorization.k8s.io');
          break;
      }
    });
  }
});
