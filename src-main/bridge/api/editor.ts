// The manifest editor's calls: the cluster's schema for validation and completion, a live object
// to edit, and a dry-run preview or an apply of the editor's (multi-document) text.
import type { ApplyResult, DocumentPreview, OpenedObject } from '../../editor/manifests.ts';
import type { ManifestSchema } from '../../editor/manifest-schema.ts';

export type { ApplyResult, DocumentPreview, OpenedObject } from '../../editor/manifests.ts';
export type { ManifestSchema, ServedKind } from '../../editor/manifest-schema.ts';

export interface EditorText {
  text: string;
  /** Where namespaced documents without metadata.namespace go. */
  namespace: string;
}

/** The text itself is wrong (YAML, unknown kind, no name): nothing was sent to the server. */
export interface ManifestProblem {
  ok: false;
  message: string;
  index: number;
  line: number;
}

export interface EditorMethods {
  /** JSON schema from the cluster's OpenAPI v3 (cached per cluster) and the kinds it serves. */
  editorSchema: { params: Record<string, never>; result: ManifestSchema };
  /** A live object as YAML (key: where `opened` keeps it) without status, managedFields and other server-written fields. */
  editorOpen: {
    params: { resource: string; namespace?: string; name: string };
    result: { yaml: string; kind: string; name: string; namespace?: string; key: string; opened: OpenedObject };
  };
  /** Server-side dry-run apply of every document, diffed against the live objects. */
  editorPreview: {
    params: EditorText & { opened: Record<string, OpenedObject> };
    result: { ok: true; documents: DocumentPreview[] } | ManifestProblem;
  };
  /** Server-side apply (field manager "kubelab"); force only after the user confirmed a conflict. */
  editorApply: { params: EditorText & { force: boolean }; result: ApplyResult | ManifestProblem };
}
