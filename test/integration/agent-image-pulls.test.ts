// The kubelet's image pulls through the API: a private registry (htpasswd) reached with the pod's
// imagePullSecrets made by the real kubectl, refused without them with the registry's reason, a
// missing secret warned about, and a long pull reporting its progress in events.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event as CoreEvent, Pod } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { nodePlatform } from '../../src-main/agent/images/platform.ts';
import { assembleImage, buildBusyboxImage, busyboxLayer, gzipLayer, pushImage } from '../fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../fixtures/images/test-registry.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let bed: TestNode;
let privateRegistry: TestRegistry;
let kubectl: Kubectl;
const names: string[] = [];

beforeAll(async () => {
  bed = await startTestNode('klpull', { pullProgressEveryMs: 50 });
  kubectl = new Kubectl('1.35', bed.cluster.kubeconfigPath);
  privateRegistry = await startTestRegistry({ auth: 'htpasswd', username: 'alice', password: 'wonderland' });
  await pushImage({ url: privateRegistry.url, authorization: `Basic ${Buffer.from('alice:wonderland').toString('base64')}` }, 'team/app', 'v1', buildBusyboxImage());
}, 120_000);

afterAll(async () => {
  for (const name of names) await kubectl.run(['delete', 'pod', name, '--wait=true', '--timeout=60s']);
  await kubectl?.cleanup();
  await privateRegistry?.stop();
  const left = await bed?.stop();
  expect(left?.containers).toEqual([]);
});

const getPod = (name: string) => bed.cluster.client.get<Pod>(gvr.pods, 'default', name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
const events = async (name: string) => (await bed.cluster.client.list<CoreEvent>({ group: '', version: 'v1', resource: 'events' }, { namespace: 'default' }))
  .items.filter((e) => e.involvedObject?.name === name).map((e) => `${e.reason}: ${e.message}`);

async function runPod(name: string, image: string, pullSecrets: string[] = []): Promise<void> {
  names.push(name);
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 2, imagePullSecrets: pullSecrets.map((n) => ({ name: n })),
      containers: [{ name: 'main', image, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }],
    },
  };
  await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
}

const waitingReason = async (name: string) => (await getPod(name))?.status?.containerStatuses?.[0]?.state?.waiting;

describe('image pulls by the kubelet', () => {
  it('pulls a private image with the pod\'s imagePullSecrets, and is refused without them', async () => {
    const image = `${privateRegistry.host}/team/app:v1`;
    await kubectl.ok(['create', 'secret', 'docker-registry', 'regcred', `--docker-server=${privateRegistry.host}`, '--docker-username=alice', '--docker-password=wonderland']);
    await runPod('no-creds', image);
    await runPod('with-creds', image, ['missing', 'regcred']);
    const refused = await waitFor('no-creds refused', async () => {
      const w = await waitingReason('no-creds');
      return (w?.reason === 'ErrImagePull' || w?.reason === 'ImagePullBackOff') && w;
    }, 60_000);
    expect(refused.message).toMatch(/401 UNAUTHORIZED/);
    await waitFor('with-creds Running', async () => (await getPod('with-creds'))?.status?.phase === 'Running', 60_000);
    expect(await events('with-creds')).toContain('FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets (missing); attempting to pull the image may not succeed.');
  });

  it('reports a long pull\'s progress in events', async () => {
    const layers = Array.from({ length: 6 }, (_, i) => gzipLayer([{ path: `data-${i}`, data: randomBytes(1024 * 1024) }]));
    await pushImage({ url: bed.registry.url }, 'test/big', 'v1', assembleImage([busyboxLayer(), ...layers], nodePlatform()));
    await runPod('big', `${bed.registry.host}/test/big:v1`);
    await waitFor('big Running', async () => (await getPod('big'))?.status?.phase === 'Running', 60_000);
    const progress = (await events('big')).filter((e) => /^Pulling: Pulling image "[^"]+": \d+ of \d+ layers, [\d.]+ MiB of [\d.]+ MiB$/.test(e));
    expect(progress.length).toBeGreaterThan(0);
    expect((await events('big')).some((e) => e.startsWith('Pulled: Successfully pulled image'))).toBe(true);
  });
});
