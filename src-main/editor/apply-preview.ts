// Before apply, what the editor shows: the object as the server would store it (a server-side
// apply with dryRun=All, so defaults, admission and validation all run and nothing is written),
// diffed against the live object with managedFields and status left out, a warning when the live
// object changed since the user opened it, and a rejection's field causes on their lines.
import { stringify } from 'yaml';
import type { KubeClient } from '../client/kube-client.ts';
import { ApiError, isNotFound } from '../client/api-error.ts';
import type { GroupVersionResource } from '../client/gvr.ts';
import type { KubeObject } from '../client/types.ts';
import { causeLines, type FieldLine } from './field-lines.ts';
import { unifiedDiff } from './line-diff.ts';

export interface ApplyPreviewInput {
  client: KubeClient;
  gvr: GroupVersionResource;
  /** The object from the editor (one document of `text`). */
  object: KubeObject;
  /** The editor's whole text, for the error lines. */
  text: string;
  /** The live object's resourceVersion when the editor opened it (undefined for a new one). */
  openedResourceVersion?: string;
  /**
   * Its fingerprint() then: when given, a new resourceVersion alone (a controller writing status)
   * is not a change the user has to know about; a different fingerprint is.
   */
  openedFingerprint?: string;
}

export type ApplyPreview =
  | { ok: true; created: boolean; diff: string; before: string; after: string; staleWarning?: string }
  | { ok: false; message: string; lines: FieldLine[] };

/** Fields a person does not write and a diff should not show. */
export function comparable(obj: KubeObject | undefined): string {
  if (!obj) return '';
  const { status: _status, metadata: meta, ...rest } = obj as KubeObject & { status?: unknown };
  // uid and creationTimestamp too: a dry run of a new object invents them.
  const { managedFields: _mf, resourceVersion: _rv, generation: _g, uid: _uid, creationTimestamp: _ct, ...metadata } = meta ?? {};
  // In the order people write manifests.
  return stringify({ apiVersion: rest.apiVersion, kind: rest.kind, metadata, ...rest });
}

/**
 * What someone else may have changed: the comparable object without the metadata annotations in
 * the kubernetes.io domains, which controllers write by themselves (a Deployment's revision).
 */
export function fingerprint(obj: KubeObject | undefined): string {
  if (!obj?.metadata?.annotations) return comparable(obj);
  const annotations = Object.fromEntries(Object.entries(obj.metadata.annotations).filter(([k]) => !k.includes('kubernetes.io/')));
  return comparable({ ...obj, metadata: { ...obj.metadata, annotations } });
}

export async function previewApply(input: ApplyPreviewInput): Promise<ApplyPreview> {
  const { client, gvr, object } = input;
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '';
  const live = await client.get(gvr, namespace, name).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  let result: KubeObject;
  try {
    result = await client.patch(gvr, namespace, name, object, 'apply', { dryRun: true, force: true, fieldManager: 'kubelab-editor' });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const causes = e.body.details?.causes ?? [];
    return { ok: false, message: e.message, lines: causeLines(input.text, { kind: object.kind, name }, causes) };
  }
  const changed = input.openedResourceVersion !== undefined && live?.metadata?.resourceVersion !== input.openedResourceVersion
    && (input.openedFingerprint === undefined || fingerprint(live) !== input.openedFingerprint);
  return {
    ok: true,
    created: live === undefined,
    diff: unifiedDiff(comparable(live), comparable(result)),
    // The two sides whole, for a side-by-side diff editor.
    before: comparable(live),
    after: comparable(result),
    ...(changed ? { staleWarning: live ? `${object.kind} ${name} changed since you opened it (resourceVersion ${input.openedResourceVersion} → ${live.metadata?.resourceVersion}): applying overwrites those changes` : `${object.kind} ${name} was deleted since you opened it: applying creates it again` } : {}),
  };
}
