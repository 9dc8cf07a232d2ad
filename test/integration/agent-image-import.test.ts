// Images without a registry, end to end: archives dropped into a running agent's
// <state-dir>/images/import/ (docker save, and an OCI image layout) are imported, and pods with
// imagePullPolicy Never whose image no registry has run from them and print their output through
// `kubectl logs`. A corrupted archive is refused: it moves to images/failed/ with the reason, and
// the pod naming its image stays waiting with ErrImageNeverPull.
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { buildBusyboxImage } from '../fixtures/images/busybox-image.ts';
import { legacyDockerSave, ociLayoutArchive } from '../fixtures/images/image-archives.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let node: TestNode;
let kubectl: Kubectl;
const tag = `offline-${process.pid}`;
const importDir = () => join(node.stateDir, 'images', 'import');

/** Writes under a dot name and renames it in, as an upload does: the agent never sees half a file. */
function drop(name: string, archive: Buffer): void {
  const tmp = join(importDir(), `.${name}.part`);
  writeFileSync(tmp, archive);
  renameSync(tmp, join(importDir(), name));
}

function pod(name: string, image: string) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { restartPolicy: 'Never', containers: [{ name: 'main', image, imagePullPolicy: 'Never', command: ['sh', '-c', `echo hello from ${name}; cat /etc/motd`] }] },
  };
}

const getPod = (name: string) => node.cluster.client.get<Pod>(gvr.pods, 'default', name);

beforeAll(async () => {
  node = await startTestNode('klimp');
  kubectl = new Kubectl('1.35', node.cluster.kubeconfigPath);
}, 120_000);

afterAll(async () => {
  await kubectl?.cleanup();
  // The pods ran to completion or never started: the node holds nothing of them.
  expect(await node?.stop()).toEqual({ containers: [], mounts: [], netns: [], cgroups: [] });
});

describe('image archives dropped into the agent', () => {
  it('are imported, and pods with imagePullPolicy Never run them', async () => {
    expect(existsSync(importDir())).toBe(true);
    drop('busybox-docker.tar', legacyDockerSave(buildBusyboxImage(), [`busybox:${tag}`]));
    drop('busybox-oci.tar.gz', gzipSync(ociLayoutArchive(buildBusyboxImage(), { annotations: { 'org.opencontainers.image.ref.name': `kubelab.test/offline/busybox:${tag}` } })));
    const imported = join(node.stateDir, 'images', 'imported');
    await waitFor(`both archives imported\n${node.cluster.logs.slice(-5).join('\n')}`, () => existsSync(imported) && readdirSync(imported).length === 2, 30_000, 100);
    expect(readdirSync(imported).sort()).toEqual(['busybox-docker.tar', 'busybox-oci.tar.gz']);
    expect(node.cluster.logs.filter((l) => l.startsWith('images: imported')).length).toBe(2);

    const images = { 'from-docker-save': `busybox:${tag}`, 'from-oci-layout': `kubelab.test/offline/busybox:${tag}` };
    for (const [name, image] of Object.entries(images)) await node.cluster.client.create(gvr.pods, pod(name, image), { namespace: 'default' });
    for (const name of Object.keys(images)) {
      const done = await waitFor(`${name} ran\n${node.cluster.logs.slice(-5).join('\n')}`, async () => {
        const p = await getPod(name);
        return (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') && p;
      }, 60_000, 100);
      expect(done.status?.phase).toBe('Succeeded');
      expect(await kubectl.ok(['logs', name])).toBe(`hello from ${name}\nbusybox test image\n`);
      const events = await kubectl.ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={.items[*].message}']);
      expect(events).toContain('already present on machine');
    }
  }, 120_000);

  it('a corrupted archive is refused, and a pod naming its image does not run', async () => {
    const image = `kubelab.test/offline/corrupt:${tag}`;
    drop('corrupt.tar', ociLayoutArchive(buildBusyboxImage(), { annotations: { 'io.containerd.image.name': image }, corruptLayer: true }));
    const failed = join(node.stateDir, 'images', 'failed');
    await waitFor('the archive refused', () => existsSync(join(failed, 'corrupt.tar.error')), 30_000, 100).catch((e: Error) => {
      throw new Error(`${e.message}\n${node.cluster.logs.filter((l) => l.startsWith('images')).join('\n')}\n${readdirSync(importDir()).join(' ')}`);
    });
    expect(readFileSync(join(failed, 'corrupt.tar.error'), 'utf8')).toMatch(/^layer blob sha256:[0-9a-f]{64}: digest mismatch \(it is sha256:[0-9a-f]{64}\)\n$/);
    expect(existsSync(join(failed, 'corrupt.tar'))).toBe(true);
    expect(existsSync(join(importDir(), 'corrupt.tar'))).toBe(false);
    expect(node.cluster.logs.some((l) => l.includes('cannot import') && l.includes('corrupt.tar: layer blob'))).toBe(true);

    await node.cluster.client.create(gvr.pods, pod('from-corrupt', image), { namespace: 'default' });
    const waiting = await waitFor('from-corrupt waiting', async () => {
      const w = (await getPod('from-corrupt')).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'ErrImageNeverPull' && w;
    }, 30_000, 100);
    expect(waiting.message).toBe(`Container image "${image}" is not present with pull policy of Never`);
  }, 60_000);
});
