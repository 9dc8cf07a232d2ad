// The editor's text as objects for the server: each document resolved to its served resource,
// namespaced kinds put in the editor's namespace, precise errors for text the server cannot take.
import { describe, expect, it } from 'vitest';
import { editableObject, ManifestError, manifestObjects } from '../../../src-main/editor/manifests.ts';
import type { ServedKind } from '../../../src-main/editor/manifest-schema.ts';

const kinds: ServedKind[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', resource: 'deployments', namespaced: true },
  { apiVersion: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false },
];

describe('manifest objects', () => {
  it('resolves each document, defaults the namespace of namespaced kinds only, skips empty documents', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\n  namespace: stray\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n';
    const objects = manifestObjects(text, kinds, 'lab');
    expect(objects.map((o) => [o.index, o.gvr, o.object.metadata?.namespace])).toEqual([
      [0, { group: '', version: 'v1', resource: 'namespaces' }, undefined],
      [2, { group: 'apps', version: 'v1', resource: 'deployments' }, 'lab'],
    ]);
  });

  it('names the document and line of what the server could not take', () => {
    const problem = (text: string) => {
      try {
        manifestObjects(text, kinds, 'default');
      } catch (e) {
        if (e instanceof ManifestError) return { message: e.message, index: e.index, line: e.line };
      }
      return undefined;
    };
    expect(problem('apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n---\napiVersion: v9\nkind: Widget\nmetadata: { name: w }\n'))
      .toEqual({ message: 'document 2: the cluster serves no kind Widget in v9', index: 1, line: 5 });
    expect(problem('apiVersion: apps/v1\nkind: Deployment\nmetadata: {}\n')?.message).toBe('document 1: Deployment has no metadata.name');
    expect(problem('kind: [\n')?.message).toMatch(/^YAML error: /);
    expect(problem('# nothing\n')?.message).toBe('nothing to apply: the text holds no object');
  });

  it('leaves out what the server writes when a live object is opened', () => {
    const live = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'default', uid: 'u', resourceVersion: '7', creationTimestamp: 't', managedFields: [{}], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' } },
      data: { k: 'v' }, status: {},
    };
    expect(editableObject(live)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default', annotations: { keep: 'me' } }, data: { k: 'v' } });
  });
});
