// How objects go out: as themselves, as metadata only (PartialObjectMetadata), or as server-side
// printed Tables (what `kubectl get` asks for with as=Table;v=v1;g=meta.k8s.io).
import type { IncomingMessage } from 'node:http';
import type { ResourceDefinition, KubeObject, TableColumn } from '../resources/types.ts';
import { age } from '../printing/age.ts';
import { badRequest, notAcceptable } from '../status.ts';

export type OutputForm = { kind: 'object' } | { kind: 'table'; version: 'v1' | 'v1beta1'; include: 'None' | 'Metadata' | 'Object' } | { kind: 'metadata'; version: 'v1' | 'v1beta1' };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: 'application/json', params: {} }];
  return header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
    }
    return { type: type.toLowerCase(), params: p };
  });
}

/** Picks the first acceptable representation from the Accept header, as upstream negotiates. */
export function negotiateOutput(req: IncomingMessage, query: URLSearchParams, list: boolean): OutputForm {
  const ranges = parseAccept(req.headers.accept);
  for (const r of ranges) {
    const jsonish = r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*' || r.type === 'application/yaml';
    if (!jsonish) continue;
    const as = r.params.as;
    if (!as) return { kind: 'object' };
    if (r.params.g !== 'meta.k8s.io' || (r.params.v !== 'v1' && r.params.v !== 'v1beta1')) continue;
    const version = r.params.v;
    if (as === 'Table') {
      const include = query.get('includeObject') ?? 'Metadata';
      if (include !== 'None' && include !== 'Metadata' && include !== 'Object') throw badRequest(`includeObject must be one of None, Metadata, Object`);
      return { kind: 'table', version, include };
    }
    if (as === (list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata') || as === 'PartialObjectMetadata') return { kind: 'metadata', version };
  }
  throw notAcceptable('only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

const createdColumn: TableColumn = {
  name: 'Created At',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
};

export function tableColumns(def: ResourceDefinition): TableColumn[] {
  return def.table?.columns ?? [nameColumn, createdColumn];
}

function cellsOf(def: ResourceDefinition, obj: KubeObject, now: Date): unknown[] {
  if (def.table) return def.table.cells(obj, now);
  return [obj.metadata.name, obj.metadata.creationTimestamp ?? age(undefined, now)];
}

export function partialMetadata(obj: KubeObject, version: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function tableRow(def: ResourceDefinition, obj: KubeObject, form: Extract<OutputForm, { kind: 'table' }>, now: Date): Record<string, unknown> {
  const row: Record<string, unknown> = { cells: cellsOf(def, obj, now) };
  if (form.include === 'Metadata') row.object = partialMetadata(obj, form.version);
  else if (form.include === 'Object') row.object = obj;
  return row;
}

export function table(def: ResourceDefinition, objects: KubeObject[], form: Extract<OutputForm, { kind: 'table' }>, listMeta: Record<string, unknown>, now: Date, withColumns = true): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${form.version}`,
    metadata: listMeta,
    columnDefinitions: withColumns ? tableColumns(def) : [],
    rows: objects.map((o) => tableRow(def, o, form, now)),
  };
}
