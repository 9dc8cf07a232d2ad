// The wire shapes the client speaks, kept generic: callers pick the concrete kind from
// kubernetes-types (Deployment, Pod ...) as the type argument.
import type { ListMeta, ObjectMeta, Status } from 'kubernetes-types/meta/v1';

/** What every Kubernetes object has; any kubernetes-types kind is assignable to it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export interface ListOptions {
  /** Omit (or '') for every namespace, or for cluster-scoped resources. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions extends Omit<ListOptions, 'limit' | 'continue' | 'resourceVersionMatch'> {
  /** Start after this version; omit or '' for "now, preceded by ADDED events for what exists". */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the watch cleanly after this long. */
  timeoutSeconds?: number;
}

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: Status };

export interface WriteOptions {
  /** Validate and default but do not persist (dryRun=All). */
  dryRun?: boolean;
  fieldManager?: string;
  /** Strict | Warn | Ignore: how the server treats unknown or duplicate fields. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take ownership of fields other managers own. */
  force?: boolean;
  subresource?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface WatchHandle {
  /** Ends the watch; onDone is called (without error) if it has not been already. */
  stop(): void;
}
