// Workload logs merged live (the app's stern-like view) against real containers on an agent:
// every pod of a selector followed with its own colour, pods outside it not, a pod started later
// followed once it runs, a deleted pod's stream closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { WorkloadLogs, type WorkloadLogLine } from '../../src-main/bridge/workload-logs.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode('kwl', {});
});
afterAll(async () => {
  const left = await node?.stop();
  expect(left?.containers).toEqual([]);
});

const talker = (name: string, app: string): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app } },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: node.image, command: ['sh', '-c', `i=0; while true; do echo "${name} says $i"; i=$((i+1)); sleep 0.3; done`] }] },
});

describe('workload logs', () => {
  it("merges the selector's pods live, one colour each, following pods that come and go", async () => {
    const client = node.cluster.client;
    for (const p of [talker('chat-a', 'chat'), talker('chat-b', 'chat'), talker('other', 'other')]) await client.create(gvr.pods, p);
    const lines: WorkloadLogLine[] = [];
    const errors: string[] = [];
    const logs = new WorkloadLogs(client, { namespace: 'default', labelSelector: 'app=chat', onLine: (l) => lines.push(l), onError: (m) => errors.push(m) });
    await logs.start();
    try {
      const from = (pod: string) => lines.filter((l) => l.pod === pod);
      await waitFor('lines from both pods', () => from('chat-a').length >= 3 && from('chat-b').length >= 3, 60_000, 100);
      expect(from('other')).toEqual([]);
      const a = from('chat-a');
      expect(a[0]).toMatchObject({ container: 'main', text: expect.stringMatching(/^chat-a says \d+$/) });
      expect(a[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
      expect(new Set(a.map((l) => l.colour)).size).toBe(1);
      expect(a[0]!.colour).not.toBe(from('chat-b')[0]!.colour);
      // Each pod's lines arrive in order.
      const numbers = a.map((l) => Number(/(\d+)$/.exec(l.text)![1]));
      expect(numbers).toEqual([...numbers].sort((x, y) => x - y));

      await client.create(gvr.pods, talker('chat-c', 'chat'));
      await waitFor('the later pod followed', () => from('chat-c').length >= 2, 60_000, 100);
      await client.delete(gvr.pods, 'default', 'chat-a', { gracePeriodSeconds: 0 });
      await waitFor('chat-a gone', async () => !(await client.list<Pod>(gvr.pods, { namespace: 'default' })).items.some((p) => p.metadata!.name === 'chat-a'), 30_000);
      const count = from('chat-a').length;
      await new Promise((r) => setTimeout(r, 1000));
      expect(from('chat-a').length).toBe(count);
      expect(errors).toEqual([]);
    } finally {
      logs.stop();
      for (const n of ['chat-b', 'chat-c', 'other']) await client.delete(gvr.pods, 'default', n, { gracePeriodSeconds: 0 }).catch(() => undefined);
      await waitFor('pods gone', async () => (await client.list<Pod>(gvr.pods, { namespace: 'default' })).items.length === 0, 30_000);
    }
  }, 120_000);
});
