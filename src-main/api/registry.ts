// The served API surface: which group/version/resource maps to which ResourceDefinition, in the
// order discovery lists them (kubectl's RESTMapper prefers earlier groups).
import type { ResourceDefinition, ServedVersion } from './resources/types.ts';

export interface ServedResource {
  definition: ResourceDefinition;
  group: string;
  version: string;
  /** The served version's conversion hooks. */
  served: ServedVersion;
  /** True for the storage (first) version: no conversion needed. */
  isStorageVersion: boolean;
}

export interface GroupInfo {
  name: string;
  /** Served versions, preferred first. */
  versions: string[];
}

/** Group order as kube-apiserver lists them (core is separate, always first). */
const groupOrder = ['apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io'];

export class ResourceRegistry {
  private readonly byPath = new Map<string, ServedResource>();
  private readonly byKind = new Map<string, ServedResource>();
  readonly groups: GroupInfo[] = [];

  constructor(readonly definitions: readonly ResourceDefinition[]) {
    const groups = new Map<string, GroupInfo>();
    for (const def of definitions) {
      def.versions.forEach((served, i) => {
        const entry: ServedResource = { definition: def, group: def.group, version: served.version, served, isStorageVersion: i === 0 && !def.storedAs };
        this.byPath.set(this.key(def.group, served.version, def.resource), entry);
        this.byKind.set(this.key(def.group, served.version, def.kind), entry);
        if (def.group) {
          let g = groups.get(def.group);
          if (!g) groups.set(def.group, (g = { name: def.group, versions: [] }));
          if (!g.versions.includes(served.version)) g.versions.push(served.version);
        }
      });
    }
    const rank = (name: string) => {
      const i = groupOrder.indexOf(name);
      return i === -1 ? groupOrder.length : i;
    };
    this.groups = [...groups.values()].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  }

  private key(group: string, version: string, name: string): string {
    return `${group}/${version}/${name}`;
  }

  lookup(group: string, version: string, resource: string): ServedResource | undefined {
    return this.byPath.get(this.key(group, version, resource));
  }

  lookupKind(group: string, version: string, kind: string): ServedResource | undefined {
    return this.byKind.get(this.key(group, version, kind));
  }

  /** Every served resource of one group/version, in definition order. */
  resourcesOf(group: string, version: string): ServedResource[] {
    return [...this.byPath.values()].filter((r) => r.group === group && r.version === version);
  }

  hasGroupVersion(group: string, version: string): boolean {
    if (!group) return version === 'v1';
    return this.groups.some((g) => g.name === group && g.versions.includes(version));
  }

  all(): ServedResource[] {
    return [...this.byPath.values()];
  }

  /** The storage-version entry of a definition. */
  storageOf(def: ResourceDefinition): ServedResource {
    return this.lookup(def.group, def.versions[0].version, def.resource)!;
  }
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
