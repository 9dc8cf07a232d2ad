// The editor's text as objects to preview and apply: each YAML document resolved to the resource
// the cluster serves for its apiVersion and kind, namespaced kinds put in the editor's namespace
// when they name none (as kubectl apply does with -n), then a dry-run preview or a server-side
// apply (field manager "kubelab") per document, in order, stopping at the first failure.
import { parseAllDocuments } from 'yaml';
import { ApiError } from '../client/api-error.ts';
import type { KubeClient } from '../client/kube-client.ts';
import type { GroupVersionResource } from '../client/gvr.ts';
import type { KubeObject } from '../client/types.ts';
import { fingerprint, previewApply, type ApplyPreview } from './apply-preview.ts';
import { causeLines, type FieldLine } from './field-lines.ts';
import type { ServedKind } from './manifest-schema.ts';

export const FIELD_MANAGER = 'kubelab';

export interface ManifestObject {
  /** 0-based document index in the text. */
  index: number;
  object: KubeObject;
  gvr: GroupVersionResource;
}

export interface DocumentRef {
  index: number;
  kind: string;
  name: string;
  namespace?: string;
}

/** A problem with the text itself (not the server's): which document and line. */
export class ManifestError extends Error {
  constructor(message: string, readonly index: number, readonly line: number) {
    super(message);
  }
}

export function manifestObjects(text: string, kinds: ServedKind[], defaultNamespace: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    // The document's first node, not its `---` line.
    const start = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? doc.range?.[0] ?? 0;
    const firstLine = text.slice(0, start).split('\n').length;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw new ManifestError(`YAML error: ${e.message.split('\n')[0]}`, index, e.linePos?.[0]?.line ?? firstLine);
    }
    const object = doc.toJS() as KubeObject | null;
    if (object === null || object === undefined) return; // an empty document, as between two `---`
    if (typeof object !== 'object' || Array.isArray(object)) throw new ManifestError(`document ${index + 1} is not an object`, index, firstLine);
    const served = kinds.find((k) => k.apiVersion === object.apiVersion && k.kind === object.kind);
    if (!served) throw new ManifestError(`document ${index + 1}: the cluster serves no kind ${object.kind ?? '(no kind)'} in ${object.apiVersion ?? '(no apiVersion)'}`, index, firstLine);
    if (!object.metadata?.name) throw new ManifestError(`document ${index + 1}: ${object.kind} has no metadata.name`, index, firstLine);
    if (served.namespaced) object.metadata.namespace ||= defaultNamespace;
    else delete object.metadata.namespace;
    const [group, version] = served.apiVersion.includes('/') ? served.apiVersion.split('/') as [string, string] : ['', served.apiVersion];
    out.push({ index, object, gvr: { group, version, resource: served.resource } });
  });
  if (out.length === 0) throw new ManifestError('nothing to apply: the text holds no object', 0, 1);
  return out;
}

const refOf = (m: ManifestObject): DocumentRef => ({ index: m.index, kind: m.object.kind!, name: m.object.metadata!.name!, ...(m.object.metadata?.namespace ? { namespace: m.object.metadata.namespace } : {}) });
const keyOf = (r: { kind: string; namespace?: string; name: string }) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

export type DocumentPreview = DocumentRef & ApplyPreview;

/** A live object as the editor last saw it (opened or applied): for the stale warning. */
export interface OpenedObject {
  resourceVersion: string;
  fingerprint: string;
}

export const openedKey = keyOf;

export function openedObject(obj: KubeObject): OpenedObject {
  return { resourceVersion: obj.metadata?.resourceVersion ?? '', fingerprint: fingerprint(obj) };
}

/** Previews every document; `opened` holds the live objects as last seen, by openedKey. */
export async function previewManifests(client: KubeClient, text: string, objects: ManifestObject[], opened: Record<string, OpenedObject>): Promise<DocumentPreview[]> {
  const out: DocumentPreview[] = [];
  for (const m of objects) {
    const ref = refOf(m);
    const seen = opened[keyOf(ref)];
    out.push({ ...ref, ...(await previewApply({ client, gvr: m.gvr, object: m.object, text, openedResourceVersion: seen?.resourceVersion, openedFingerprint: seen?.fingerprint })) });
  }
  return out;
}

export type ApplyResult =
  | { ok: true; applied: (DocumentRef & { opened: OpenedObject })[] }
  | { ok: false; applied: (DocumentRef & { opened: OpenedObject })[]; failed: DocumentRef; message: string; code: number; conflict: boolean; lines: FieldLine[] };

/** Server-side apply of each document in order; `force` takes over fields another manager owns. */
export async function applyManifests(client: KubeClient, text: string, objects: ManifestObject[], force: boolean): Promise<ApplyResult> {
  const applied: (DocumentRef & { opened: OpenedObject })[] = [];
  for (const m of objects) {
    const ref = refOf(m);
    try {
      const result = await client.patch(m.gvr, ref.namespace, ref.name, m.object, 'apply', { fieldManager: FIELD_MANAGER, force, fieldValidation: 'Strict' });
      applied.push({ ...ref, opened: openedObject(result) });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const causes = e.body.details?.causes ?? [];
      return { ok: false, applied, failed: ref, message: e.message, code: e.status, conflict: e.status === 409, lines: causeLines(text, { kind: ref.kind, name: ref.name }, causes) };
    }
  }
  return { ok: true, applied };
}

/** A live object as the editor shows it: without what the server writes (status, managedFields, uid…). */
export function editableObject(obj: KubeObject): KubeObject {
  const { status: _status, ...rest } = obj as KubeObject & { status?: unknown };
  const { managedFields: _mf, resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, generation: _g, selfLink: _sl, ...metadata } = rest.metadata ?? {};
  const annotations = { ...(metadata.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...rest, metadata };
}
