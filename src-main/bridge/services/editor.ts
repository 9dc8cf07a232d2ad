// The manifest editor's calls (see ../api/editor.ts).
import { stringify } from 'yaml';
import { clusterManifestSchema } from '../../editor/cluster-schema.ts';
import { applyManifests, editableObject, ManifestError, manifestObjects, openedKey, openedObject, previewManifests, type ManifestObject, type OpenedObject } from '../../editor/manifests.ts';
import type { EditorMethods, ManifestProblem } from '../api/editor.ts';
import * as check from '../check.ts';
import type { MethodTable } from '../method.ts';
import { ServiceError } from '../service-error.ts';
import type { ServiceDeps } from './deps.ts';

const MAX_TEXT = 4 << 20;

function editorText(value: unknown, method: string): { p: check.Params; text: string; namespace: string } {
  const p = check.params(value, method);
  return { p, text: check.string(p, 'text', method, MAX_TEXT), namespace: check.optionalName(p, 'namespace', method) ?? 'default' };
}

export function editorServices({ client }: ServiceDeps): MethodTable<keyof EditorMethods> {
  /** The text's objects, or the problem that keeps it from being sent. */
  async function objects(text: string, namespace: string): Promise<ManifestObject[] | ManifestProblem> {
    const { kinds } = await clusterManifestSchema(client);
    try {
      return manifestObjects(text, kinds, namespace);
    } catch (e) {
      if (e instanceof ManifestError) return { ok: false, message: e.message, index: e.index, line: e.line };
      throw e;
    }
  }

  return {
    editorSchema: {
      check: (value) => (check.params(value, 'editorSchema'), {}),
      run: () => clusterManifestSchema(client),
    },
    editorOpen: {
      check(value) {
        const p = check.params(value, 'editorOpen');
        const namespace = check.optionalName(p, 'namespace', 'editorOpen');
        return { resource: check.name(p, 'resource', 'editorOpen'), name: check.name(p, 'name', 'editorOpen'), ...(namespace ? { namespace } : {}) };
      },
      async run({ resource, namespace, name }) {
        const { kinds } = await clusterManifestSchema(client);
        const served = kinds.find((k) => k.resource === resource);
        if (!served) throw new ServiceError(`editorOpen: the cluster serves no resource "${resource}"`, 404);
        if (served.namespaced && !namespace) throw new ServiceError(`editorOpen: ${resource} are namespaced: give a namespace`, 400);
        const [group, version] = served.apiVersion.includes('/') ? served.apiVersion.split('/') as [string, string] : ['', served.apiVersion];
        const obj = await client.get({ group, version, resource }, served.namespaced ? namespace : undefined, name);
        // Lists drop apiVersion/kind on items; a get keeps them, but be sure.
        const editable = { apiVersion: served.apiVersion, kind: served.kind, ...editableObject(obj) };
        const ns = served.namespaced ? namespace : undefined;
        return { yaml: stringify(editable), kind: served.kind, name, ...(ns ? { namespace: ns } : {}), key: openedKey({ kind: served.kind, namespace: ns, name }), opened: openedObject(obj) };
      },
    },
    editorPreview: {
      check(value) {
        const { p, text, namespace } = editorText(value, 'editorPreview');
        const opened = p.opened;
        const valid = (v: unknown) => !!v && typeof v === 'object' && typeof (v as OpenedObject).resourceVersion === 'string' && typeof (v as OpenedObject).fingerprint === 'string';
        if (!opened || typeof opened !== 'object' || Array.isArray(opened) || !Object.values(opened).every(valid)) {
          throw new ServiceError('editorPreview: opened must map objects to { resourceVersion, fingerprint }', 400);
        }
        return { text, namespace, opened: opened as Record<string, OpenedObject> };
      },
      async run({ text, namespace, opened }) {
        const list = await objects(text, namespace);
        if (!Array.isArray(list)) return list;
        return { ok: true as const, documents: await previewManifests(client, text, list, opened) };
      },
    },
    editorApply: {
      check(value) {
        const { p, text, namespace } = editorText(value, 'editorApply');
        return { text, namespace, force: check.boolean(p, 'force', 'editorApply') };
      },
      async run({ text, namespace, force }) {
        const list = await objects(text, namespace);
        if (!Array.isArray(list)) return list;
        return applyManifests(client, text, list, force);
      },
    },
  };
}

