// Checks of a request's object before any strategy runs: the right kind and version, namespace
// and name agreeing with the URL, and fields the schema knows (fieldValidation Strict/Warn/Ignore).
import type { KubeObject } from '../resources/types.ts';
import { apiVersionOf } from '../registry.ts';
import { badRequest } from '../status.ts';
import { isObject } from './codec.ts';
import type { RequestScope } from './context.ts';
import { checkKnownFields } from './field-validation.ts';

export function checkBody(scope: RequestScope, body: unknown, rawJSON?: string): KubeObject {
  const { served, info } = scope;
  const def = served.definition;
  const expectedVersion = apiVersionOf(served.group, served.version);
  if (!isObject(body)) throw badRequest(`the body of the request is not a ${def.kind} object`);
  const obj = body as KubeObject;
  if (obj.apiVersion === undefined && obj.kind === undefined) {
    obj.apiVersion = expectedVersion;
    obj.kind = def.kind;
  }
  if (obj.kind === undefined || obj.kind === '') throw badRequest(`Object 'Kind' is missing in '${truncate(JSON.stringify(body))}'`);
  if (obj.apiVersion === undefined || obj.apiVersion === '') throw badRequest(`Object 'apiVersion' is missing in '${truncate(JSON.stringify(body))}'`);
  if (obj.apiVersion !== expectedVersion) throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expectedVersion})`);
  if (obj.kind !== def.kind) throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${def.kind})`);
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (!isObject(obj.metadata)) throw badRequest(`${def.kind} in version "${served.version}" cannot be handled as a ${def.kind}: metadata must be an object`);
  checkKnownFields(scope, obj, rawJSON);
  const m = obj.metadata;
  if (def.namespaced) {
    if (m.namespace && info.namespace && m.namespace !== info.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (info.namespace) m.namespace = info.namespace;
  } else {
    delete m.namespace;
  }
  if (info.name !== undefined && m.name !== undefined && m.name !== info.name) {
    throw badRequest(`the name of the object (${String(m.name)}) does not match the name on the URL (${info.name})`);
  }
  if (info.name !== undefined && !m.name) m.name = info.name;
  return obj;
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
