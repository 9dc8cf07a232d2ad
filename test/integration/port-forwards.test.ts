// The app's port-forwards against a real pod on an agent: start one to a pod's HTTP port, fetch
// through it (twice at once), list it, see a refused port's error, stop it and the port is free.
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { PortForwards } from '../../src-main/bridge/port-forwards.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode('kpf', {});
});
afterAll(async () => {
  const left = await node?.stop();
  expect(left?.containers).toEqual([]);
});

function fetchText(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    }).on('error', reject);
  });
}

describe('port-forwards', () => {
  it('forwards a local port to the pod, lists it, reports a refused port, and stops', async () => {
    const client = node.cluster.client;
    await client.create(gvr.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: node.image, command: ['sh', '-c', 'mkdir -p /www && echo hello from the pod > /www/index.html && exec httpd -f -p 8080 -h /www'] }] },
    });
    await waitFor('web Running', async () => (await client.get<Pod>(gvr.pods, 'default', 'web')).status?.phase === 'Running', 60_000);
    const forwards = new PortForwards(client);
    try {
      const fwd = await forwards.start({ namespace: 'default', pod: 'web', port: 8080 });
      expect(fwd.localPort).toBeGreaterThan(0);
      // httpd may take a moment to listen after the container starts.
      await waitFor('httpd answers', async () => (await fetchText(fwd.localPort).catch(() => '')).startsWith('200'), 20_000, 200);
      expect(await Promise.all([fetchText(fwd.localPort), fetchText(fwd.localPort)])).toEqual(['200 hello from the pod\n', '200 hello from the pod\n']);
      expect(forwards.list()).toEqual([expect.objectContaining({ id: fwd.id, pod: 'web', port: 8080, localPort: fwd.localPort, address: '127.0.0.1' })]);

      const closed = await forwards.start({ namespace: 'default', pod: 'web', port: 9999 });
      await fetchText(closed.localPort).catch(() => undefined);
      await waitFor('the error of the refused port', () => forwards.list().find((f) => f.id === closed.id)?.lastError, 10_000);
      expect(forwards.list().find((f) => f.id === closed.id)!.lastError).toMatch(/failed to connect to localhost:9999 .*connection refused/);

      expect(await forwards.stop(fwd.id)).toBe(true);
      expect(await forwards.stop(fwd.id)).toBe(false);
      await expect(fetchText(fwd.localPort)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await forwards.stopAll();
      await client.delete(gvr.pods, 'default', 'web', { gracePeriodSeconds: 0 });
      await waitFor('web gone', async () => (await client.list<Pod>(gvr.pods, { namespace: 'default' })).items.length === 0, 30_000);
    }
  }, 120_000);
});
