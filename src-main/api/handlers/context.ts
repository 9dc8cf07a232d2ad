// What every resource handler gets: the server-wide parts (store, registry, allocators, clock)
// and the request's own scope (what it is about, who asks, its options).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Store } from '../../store/store.ts';
import type { UserInfo } from '../../auth/authenticator.ts';
import type { ResourceRegistry, ServedResource } from '../registry.ts';
import type { ResourceRequest } from '../request-info.ts';
import type { AgentConnector } from '../node-proxy/agent-connector.ts';
import type { ServiceAccountTokenIssuer } from '../../auth/service-account/token-issuer.ts';
import type { Admit } from '../admission/admission.ts';
import type { Allocator, KubeObject, StrategyContext } from '../resources/types.ts';
import { apiVersionOf } from '../registry.ts';
import { getSharedObject } from '../object-store.ts';
import type { ServiceAccount } from 'kubernetes-types/core/v1';
import { badRequest } from '../status.ts';
import { recordingContext, type RecordedStrategyContext } from './allocations.ts';

export interface ApiContext {
  store: Store;
  registry: ResourceRegistry;
  allocators: { clusterIP: Allocator; nodePort: Allocator };
  now(): Date;
  log(line: string): void;
  /** The way to the nodes' agents (pods/log, exec, attach, portforward). */
  agents?: AgentConnector;
  /**
   * Admission (../admission/): of a create or update once it is valid, before it is stored, and
   * of a delete before anything changes; rejects with the ApiError that refuses it.
   */
  admit?: Admit;
  /** Signs service-account tokens (serviceaccounts/NAME/token); absent, that subresource is 404. */
  serviceAccountTokens?: ServiceAccountTokenIssuer;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestScope {
  api: ApiContext;
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  served: ServedResource;
  query: URLSearchParams;
  user: UserInfo;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Warning headers to send (fieldValidation=Warn, deprecations). */
  warnings: string[];
  /** For an Upgrade request: its socket and the bytes read past its headers (res is a stand-in). */
  upgrade?: { socket: Duplex; head: Buffer };
}

/** For releasing on delete: values go straight back to the shared allocators. */
export function strategyContext(scope: RequestScope): StrategyContext {
  return { allocators: scope.api.allocators, dryRun: scope.dryRun, subresource: scope.info.subresource };
}

/** For creates and updates: what the request takes is recorded, to give back if it fails. */
export function writeStrategyContext(scope: RequestScope): RecordedStrategyContext {
  const serviceAccounts = scope.api.registry.lookup('', 'v1', 'serviceaccounts')?.definition;
  const serviceAccount = async (namespace: string, name: string) =>
    serviceAccounts && ((await getSharedObject(scope.api.store, serviceAccounts, namespace, name))?.obj as ServiceAccount | undefined);
  return { ...recordingContext(scope.api.allocators, scope.dryRun, scope.info.subresource), serviceAccount, user: scope.user };
}

export function parseDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: ${v}; supported values: "All"`);
  return values.length > 0;
}

export function parseFieldValidation(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}; supported values: "Ignore", "Warn", "Strict"`);
}

/** An object a write stored (or would have, for dryRun), in the storage version. */
export interface Written {
  obj: KubeObject;
  /** Its stored JSON with resourceVersion, when it was stored. */
  json?: string;
}

/** The answer to a write: the object in the request's version, the stored JSON as is if it is that. */
export function writtenJSON(served: ServedResource, written: Written): string {
  if (written.json !== undefined && served.isStorageVersion) return written.json;
  return JSON.stringify(toServedVersion(served, written.obj));
}

/** The object in the served version of the request (apiVersion/kind set). */
export function toServedVersion(served: ServedResource, stored: KubeObject): KubeObject {
  const obj = served.isStorageVersion || !served.served.fromStorage ? stored : served.served.fromStorage(stored);
  obj.apiVersion = apiVersionOf(served.group, served.version);
  obj.kind = served.definition.kind;
  return obj;
}

/** The object in the storage version (apiVersion/kind set). */
export function toStorageVersion(served: ServedResource, obj: KubeObject): KubeObject {
  const def = served.definition.storedAs ?? served.definition;
  const stored = served.isStorageVersion || !served.served.toStorage ? obj : served.served.toStorage(obj);
  stored.apiVersion = apiVersionOf(def.group, def.versions[0].version);
  stored.kind = def.kind;
  return stored;
}

/** RFC 3339 with second precision, as Kubernetes writes metav1.Time. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
