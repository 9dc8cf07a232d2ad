// What the API server needs to know about one kind: its names, versions, subresources, upstream
// defaults, validation, create/update strategy and table columns. One file per kind under
// api/resources/ exports one ResourceDefinition; index.ts lists them.
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { ServiceAccount } from 'kubernetes-types/core/v1';
import type { FieldError } from '../field-errors.ts';
import type { UserInfo } from '../../auth/authenticator.ts';

/** kubernetes-types marks every field readonly; the server's own copies are its to change. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Any Kubernetes object as JSON. Kind-specific code casts to the kubernetes-types type. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: Mutable<ObjectMeta>;
  [field: string]: unknown;
}

export interface ServedVersion {
  version: string;
  /**
   * Converts from the storage version (the first served version) to this one and back. Absent
   * when the shapes are the same. apiVersion/kind are set by the caller.
   */
  fromStorage?(obj: KubeObject): KubeObject;
  toStorage?(obj: KubeObject): KubeObject;
}

/** Where the scale subresource reads and writes replicas (dot paths, as CRDs' scale spec). */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** A column of server-side Table printing (meta.k8s.io/v1 TableColumnDefinition). */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0: shown always; 1: only with -o wide. */
  priority: number;
}

export interface TablePrinter {
  /** All columns, Name first, as upstream's printers.go defines them for this kind. */
  columns: TableColumn[];
  /** One value per column, in order. now is passed so that ages are computed consistently. */
  cells(obj: KubeObject, now: Date): unknown[];
}

/** A tiny allocator for values that must be unique across objects (cluster IPs, node ports). */
export interface Allocator {
  /** Takes a specific value; false if taken or outside the range. */
  reserve(value: string): boolean;
  /** Takes any free value; undefined when the range is full. */
  allocateNext(): string | undefined;
  release(value: string): void;
  /** Whether value lies in the range this allocator hands out. */
  contains(value: string): boolean;
  /** The range in CIDR or port-range form, for messages. */
  readonly range: string;
}

/** What strategy hooks may use besides the object itself. */
export interface StrategyContext {
  allocators: {
    clusterIP: Allocator;
    nodePort: Allocator;
  };
  /** True when the request is a dry run: allocations must be released afterwards. */
  dryRun: boolean;
  /** The subresource written through ('status', 'finalize', ...), absent for the object itself. */
  subresource?: string;
  /** A service account as stored (the ServiceAccount admission of pods); absent in unit tests. */
  serviceAccount?(namespace: string, name: string): Promise<ServiceAccount | undefined>;
  /** Who writes (a CSR records its requestor); absent in unit tests. */
  user?: UserInfo;
}

export interface ResourceDefinition {
  /** '' for the core group. */
  group: string;
  kind: string;
  /** Plural, lowercase: the URL segment. */
  resource: string;
  singular: string;
  shortNames?: string[];
  /** ['all'] for the kinds `kubectl get all` shows. */
  categories?: string[];
  namespaced: boolean;
  /** Served versions; the first is the preferred version and the one stored. */
  versions: ServedVersion[];
  /**
   * The kind whose storage this one shares (events.k8s.io Events are core Events). Keys and the
   * stored form are that kind's; every served version here converts to and from it.
   */
  storedAs?: ResourceDefinition;
  subresources?: {
    status?: boolean;
    scale?: ScaleSubresource;
    /**
     * A subresource that, like status, keeps the rest of the object and changes a part of its
     * status (a CSR's approval: its conditions); prepareForUpdate sees which in ctx.subresource.
     */
    approval?: boolean;
  };
  /** Verbs the resource supports; absent means all of them. */
  verbs?: string[];
  /**
   * Field selectors beyond metadata.name and metadata.namespace (spec.nodeName, status.phase...),
   * each with how to read the value from an object.
   */
  selectableFields?: Record<string, (obj: KubeObject) => string | undefined>;
  /** Validates metadata.name (and generateName). Defaults to a DNS-1123 subdomain. */
  nameValidation?: 'subdomain' | 'label' | 'path-segment';

  /** Fills in upstream's defaults, in place. Runs on every create, update and patch result. */
  defaults?(obj: KubeObject): void;
  /** Upstream's validation of a whole object. Paths start below the root: `spec.replicas`. */
  validate?(obj: KubeObject): FieldError[];
  /** Checks only an update can fail: immutable fields and the like. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Checks of a write through status or approval (absent: those writes are not validated). */
  validateSubresourceUpdate?(obj: KubeObject, old: KubeObject, subresource: 'status' | 'approval'): FieldError[];
  /**
   * Create strategy beyond the generic one (generic: status dropped when there is a status
   * subresource, generation 1). E.g. a pod's status.phase Pending, a service's cluster IP.
   */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void | Promise<void>;
  /** Update strategy beyond the generic one (generic: status kept from old, generation bumped on spec change). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void | Promise<void>;
  /** After an object is gone for good: release what prepareForCreate allocated. */
  afterDelete?(obj: KubeObject, ctx: StrategyContext): void;
  /** Server-side printing for `kubectl get`. Absent: Name and Age only. */
  table?: TablePrinter;
}
