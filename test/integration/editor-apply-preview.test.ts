// The editor's apply preview against a real API server: a server-side dry run that writes
// nothing, the diff against the live object (no managedFields, no status), the warning when the
// live object changed since it was opened, and a 422's causes on the lines the user wrote.
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from 'kubernetes-types/apps/v1';
import { gvr } from '../../src-main/client/resources.ts';
import type { KubeObject } from '../../src-main/client/types.ts';
import { previewApply } from '../../src-main/editor/apply-preview.ts';
import { startTestCluster, type TestCluster } from './harness/cluster.ts';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
});
afterAll(async () => {
  await cluster?.stop();
});

const manifest = (replicas: number | string) => `# settings first, then the app
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: ${replicas}   # how many
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: main
          image: registry.local/web:1
`;
const deployment = (text: string) => parseAllDocuments(text)[1]!.toJS() as KubeObject;

describe('apply preview', () => {
  it('shows a new object as the server would make it, and writes nothing', async () => {
    const text = manifest(2);
    const preview = await previewApply({ client: cluster.client, gvr: gvr.deployments, object: deployment(text), text });
    if (!preview.ok) throw new Error(preview.message);
    expect(preview.created).toBe(true);
    expect(preview.diff).toContain('+  replicas: 2');
    // Defaults the server adds are in it; what nobody writes is not.
    expect(preview.diff).toContain('+  revisionHistoryLimit: 10');
    expect(preview.diff).not.toMatch(/managedFields|status:|resourceVersion/);
    await expect(cluster.client.get(gvr.deployments, 'default', 'web')).rejects.toThrow(/not found/);
  });

  it('diffs an edit against the live object, and warns when the live object changed since it was opened', async () => {
    const live = await cluster.client.patch<Deployment>(gvr.deployments, 'default', 'web', deployment(manifest(2)), 'apply', { fieldManager: 'kubelab-editor' });
    const opened = live.metadata!.resourceVersion!;
    const text = manifest(3);
    const preview = await previewApply({ client: cluster.client, gvr: gvr.deployments, object: deployment(text), text, openedResourceVersion: opened });
    if (!preview.ok) throw new Error(preview.message);
    expect(preview.created).toBe(false);
    expect(preview.diff.split('\n').filter((l) => l.startsWith('-') || l.startsWith('+'))).toEqual(['-  replicas: 2', '+  replicas: 3']);
    expect(preview.staleWarning).toBeUndefined();
    // Someone scales it meanwhile.
    await cluster.client.patch(gvr.deployments, 'default', 'web', { metadata: { labels: { scaled: 'by-someone' } } }, 'merge');
    const stale = await previewApply({ client: cluster.client, gvr: gvr.deployments, object: deployment(text), text, openedResourceVersion: opened });
    expect(stale.ok && stale.staleWarning).toMatch(new RegExp(`^Deployment web changed since you opened it \\(resourceVersion ${opened} → \\d+\\): applying overwrites those changes$`));
    // Still nothing written by the previews.
    expect((await cluster.client.get<Deployment>(gvr.deployments, 'default', 'web')).spec!.replicas).toBe(2);
  });

  it("puts a rejection's field causes on the lines the user wrote, in the right document", async () => {
    const text = manifest(-1).replace('image: registry.local/web:1', 'image: ""');
    const preview = await previewApply({ client: cluster.client, gvr: gvr.deployments, object: deployment(text), text });
    expect(preview.ok).toBe(false);
    if (preview.ok) return;
    const lines = text.split('\n');
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(preview.lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'spec.replicas', line: lineOf('replicas: -1') }),
      expect.objectContaining({ field: 'spec.template.spec.containers[0].image', line: lineOf('image: ""') }),
    ]));
    expect(preview.message).toMatch(/Deployment.apps "web" is invalid/);
  });
});
