// The visual form's edits on the YAML: one path of one document changes, the rest of the text
// (comments, key order, other documents) stays as written.
import { describe, expect, it } from 'vitest';
import { addItem, documentAt, documentTitles, parseManifest, readField, removeField, renameKey, writeField } from '../../../src-renderer/lib/editor/manifest-document.ts';
import { decodeBase64, encodeBase64, formFor } from '../../../src-renderer/lib/editor/forms.ts';
import { minimalEdit } from '../../../src-renderer/lib/editor/text-edit.ts';

const text = `# settings first
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings # the app reads this
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { app: web }
spec:
  replicas: 2 # how many
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27 # pinned
`;

describe('form edits on the YAML document', () => {
  it('changes a scalar in its document and keeps every comment and the other document', () => {
    const out = writeField(text, 1, ['spec', 'replicas'], 3);
    expect(out).toBe(text.replace('replicas: 2 # how many', 'replicas: 3 # how many'));
  });

  it('reads what the user typed back (the form follows the YAML)', () => {
    const typed = text.replace('image: nginx:1.27', 'image: nginx:1.28');
    const doc = parseManifest(typed)[1]!;
    expect(readField(doc, ['spec', 'template', 'spec', 'containers', 0, 'image'])).toBe('nginx:1.28');
    expect(readField(doc, ['metadata', 'labels'])).toEqual({ app: 'web' });
    expect(readField(doc, ['spec', 'paused'])).toBeUndefined();
  });

  it('adds missing fields and list items, and removes them (emptied parents too)', () => {
    let out = writeField(text, 1, ['metadata', 'labels', 'tier'], 'front');
    expect(out).toContain('labels: { app: web, tier: front }');
    out = addItem(out, 1, ['spec', 'template', 'spec', 'containers', 0, 'env'], { name: 'MODE', value: 'fast' });
    expect(readField(parseManifest(out)[1]!, ['spec', 'template', 'spec', 'containers', 0, 'env'])).toEqual([{ name: 'MODE', value: 'fast' }]);
    out = removeField(out, 1, ['spec', 'template', 'spec', 'containers', 0, 'env', 0]);
    expect(out).not.toContain('env');
    out = writeField(out, 1, ['spec', 'replicas'], undefined);
    expect(out).not.toContain('replicas');
    expect(out).toContain('image: nginx:1.27 # pinned');
    expect(out.startsWith('# settings first\n')).toBe(true);
  });

  it('renames a map key in place', () => {
    const out = renameKey(text, 0, ['data'], 'mode', 'speed');
    expect(out).toContain('data:\n  speed: fast\n---');
  });

  it('leaves a document with YAML errors alone', () => {
    const broken = 'kind: [unclosed\n';
    expect(writeField(broken, 0, ['kind'], 'Pod')).toBe(broken);
  });

  it('knows which document the cursor is in, and names them', () => {
    expect(documentAt(text, text.indexOf('mode'))).toBe(0);
    expect(documentAt(text, text.indexOf('replicas'))).toBe(1);
    expect(documentTitles(text)).toEqual(['ConfigMap settings', 'Deployment web']);
  });

  it('has forms for the common kinds only', () => {
    expect(formFor('apps/v1', 'Deployment')?.flatMap((s) => s.fields.map((f) => f.path.join('.')))).toEqual(expect.arrayContaining(['spec.replicas', 'metadata.labels', 'spec.template.spec.containers']));
    expect(formFor('batch/v1', 'CronJob')?.flatMap((s) => s.fields.map((f) => f.path.join('.')))).toEqual(expect.arrayContaining(['spec.schedule', 'spec.suspend', 'spec.jobTemplate.spec.template.spec.containers']));
    expect(formFor('v1', 'Pod')).toBeUndefined();
    expect(decodeBase64(encodeBase64('pässword'))).toBe('pässword');
  });

  it('edits the editor with the smallest replacement', () => {
    expect(minimalEdit('replicas: 2 # x', 'replicas: 10 # x')).toEqual({ start: 10, end: 11, text: '10' });
    expect(minimalEdit('aaa', 'aaa')).toBeUndefined();
    expect(minimalEdit('ab', 'abab')).toEqual({ start: 2, end: 2, text: 'ab' });
  });
});
