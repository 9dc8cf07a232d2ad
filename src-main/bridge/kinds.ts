// Which resources the UI cache follows, with their group/version. Every KindName has one entry.
import type { GroupVersionResource } from '../client/gvr.ts';
import { KIND_NAMES, type KindName } from './protocol.ts';

export interface KindSpec {
  name: KindName;
  gvr: GroupVersionResource;
}

const GROUPS: Partial<Record<KindName, string>> = {
  deployments: 'apps', replicasets: 'apps', daemonsets: 'apps', statefulsets: 'apps',
  jobs: 'batch', cronjobs: 'batch',
  roles: 'rbac.authorization.k8s.io', clusterroles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io', clusterrolebindings: 'rbac.authorization.k8s.io',
};

export function kindSpec(name: KindName): KindSpec {
  const group = GROUPS[name] ?? '';
  return { name, gvr: { group, version: 'v1', resource: name } };
}

export const UI_KINDS: readonly KindSpec[] = KIND_NAMES.map(kindSpec);
