// The RBAC objects the authorizer reads on every request, kept in memory and current from the
// store (upstream's authorizer reads the same through informers' listers). Each kind is read
// once and then followed by a store watch from that revision, so a binding written through the
// API takes effect as soon as the write commits; a watch the store ends (fallen behind,
// compacted) is replaced by a fresh read and watch.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import { decodeObject, resourcePrefix } from '../../api/object-store.ts';
import type { ResourceDefinition } from '../../api/resources/types.ts';
import type { Store, Watch, WatchEvent } from '../../store/store.ts';

/** One kind's objects by store key (the key orders them as a list would). */
class KindCache<T> {
  readonly byKey = new Map<string, T>();
  private watch?: Watch;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    const listed = await this.store.range({ prefix: this.prefix });
    if (this.stopped) return;
    this.byKey.clear();
    for (const kv of listed.kvs) this.byKey.set(kv.key, decodeObject(kv) as T);
    this.watch = this.store.watch(this.prefix, listed.revision, {
      onEvents: (events) => events.forEach((e) => this.apply(e)),
      onError: (err) => this.restart(err),
    });
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
  }

  private apply(e: WatchEvent): void {
    if (e.type === 'delete') this.byKey.delete(e.kv.key);
    else this.byKey.set(e.kv.key, decodeObject(e.kv) as T);
  }

  private restart(err: Error): void {
    if (this.stopped) return;
    this.log(`rbac: watch of ${this.prefix} ended (${err.message}); reading it again`);
    this.start().catch((e: unknown) => {
      // The store is closing (the control plane stops): nothing left to follow.
      if (!this.stopped) this.log(`rbac: reading ${this.prefix}: ${(e as Error).message}`);
    });
  }

  values(): IterableIterator<T> {
    return this.byKey.values();
  }
}

export interface RbacDefinitions {
  roles: ResourceDefinition;
  roleBindings: ResourceDefinition;
  clusterRoles: ResourceDefinition;
  clusterRoleBindings: ResourceDefinition;
}

/** What the rule resolver reads: listers of the four RBAC kinds. */
export interface PolicySource {
  getRole(namespace: string, name: string): Role | undefined;
  getClusterRole(name: string): ClusterRole | undefined;
  listRoleBindings(namespace: string): Iterable<RoleBinding>;
  listClusterRoleBindings(): Iterable<ClusterRoleBinding>;
}

export class PolicyCache implements PolicySource {
  private readonly roles: KindCache<Role>;
  private readonly roleBindings: KindCache<RoleBinding>;
  private readonly clusterRoles: KindCache<ClusterRole>;
  private readonly clusterRoleBindings: KindCache<ClusterRoleBinding>;
  private readonly defs: RbacDefinitions;

  constructor(store: Store, defs: RbacDefinitions, log: (line: string) => void) {
    this.defs = defs;
    this.roles = new KindCache(store, resourcePrefix(defs.roles), log);
    this.roleBindings = new KindCache(store, resourcePrefix(defs.roleBindings), log);
    this.clusterRoles = new KindCache(store, resourcePrefix(defs.clusterRoles), log);
    this.clusterRoleBindings = new KindCache(store, resourcePrefix(defs.clusterRoleBindings), log);
  }

  private all(): KindCache<unknown>[] {
    return [this.roles, this.roleBindings, this.clusterRoles, this.clusterRoleBindings];
  }

  /** Resolves once every kind has been read and is being watched. */
  async start(): Promise<void> {
    await Promise.all(this.all().map((c) => c.start()));
  }

  stop(): void {
    for (const c of this.all()) c.stop();
  }

  getRole(namespace: string, name: string): Role | undefined {
    return this.roles.byKey.get(`${resourcePrefix(this.defs.roles, namespace)}${name}`);
  }

  getClusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.byKey.get(`${resourcePrefix(this.defs.clusterRoles)}${name}`);
  }

  listRoleBindings(namespace: string): Iterable<RoleBinding> {
    const prefix = resourcePrefix(this.defs.roleBindings, namespace);
    return [...this.roleBindings.byKey].filter(([k]) => k.startsWith(prefix)).map(([, b]) => b);
  }

  listClusterRoleBindings(): Iterable<ClusterRoleBinding> {
    return this.clusterRoleBindings.values();
  }
}
