// Pods created and deleted over and over leave nothing on the node: no runc container, bundle,
// mount, pod namespace, cgroup, IP address, pod folder or log. (npm run bench:agent does 1,000 cycles
// and counts the same things; this runs fewer to keep the suite short.)
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';

const ROUNDS = 3;
const BATCH = 10;
let bed: TestNode;

beforeAll(async () => {
  bed = await startTestNode('klleak');
  await bed.cluster.client.create({ group: '', version: 'v1', resource: 'configmaps' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf' }, data: { a: '1' } }, { namespace: 'default' });
}, 120_000);

afterAll(async () => {
  await bed?.stop();
});

const entries = (d: string) => (existsSync(d) ? readdirSync(d) : []);

function pod(name: string) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 5,
      volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory' } }, { name: 'conf', configMap: { name: 'conf' } }],
      containers: [{
        name: 'main', image: bed.image, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
        volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, { name: 'conf', mountPath: '/conf' }],
      }],
    },
  };
}

describe('pod create/delete cycles', () => {
  it(`leave nothing behind after ${ROUNDS * BATCH} pods`, async () => {
    const { client } = bed.cluster;
    for (let round = 0; round < ROUNDS; round++) {
      const names = Array.from({ length: BATCH }, (_, i) => `cycle-${round}-${i}`);
      await Promise.all(names.map((name) => client.create(gvr.pods, pod(name), { namespace: 'default' })));
      await waitFor(`round ${round} Running`, async () => {
        const pods = (await client.list<Pod>(gvr.pods, { namespace: 'default' })).items.filter((p) => names.includes(p.metadata!.name!));
        return pods.length === BATCH && pods.every((p) => p.status?.phase === 'Running');
      }, 90_000, 100);
      // While they run, the node holds one of each per pod: the counts below are not vacuous.
      expect((await bed.leftovers()).netns).toHaveLength(BATCH);
      await Promise.all(names.map((name) => client.delete(gvr.pods, 'default', name)));
      await waitFor(`round ${round} deleted`, async () => (await client.list<Pod>(gvr.pods, { namespace: 'default' })).items.length === 0, 90_000, 100);
    }
    const left = await waitFor('the node clean', async () => {
      const l = await bed.leftovers();
      return Object.values(l).every((v) => v.length === 0) && l;
    }, 30_000).catch(() => bed.leftovers());
    expect(left).toEqual({ containers: [], mounts: [], netns: [], cgroups: [] });
    expect(entries(join(bed.stateDir, 'containers'))).toEqual([]);
    expect(entries(join(bed.stateDir, 'pods'))).toEqual([]);
    expect(entries(join(bed.stateDir, 'logs'))).toEqual([]);
    expect(entries(join(bed.stateDir, 'cni', 'ipam', 'kubelab')).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f))).toEqual([]);
  }, 300_000);
});
