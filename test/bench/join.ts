// The 'join' area: issue 5's benchmark. Test hosts with their dependencies present (network
// namespaces with their own sshd, as `kubelab lab up` makes them) and a control plane on the
// lab's bridge; a join is the whole path a user waits for: SSH connect, facts, preflight, the
// bundle staged and verified, the service installed and started, until the Node is Ready. Once
// for one fresh host, then for five at once.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildAgentBundle } from '../../src-main/bin/agent-bundle.js';
import { connectLabHost, controlPlaneFor, pinLabHosts, stopLabControlPlane } from '../../src-main/provision/cli/lab-commands.ts';
import { clusterAccess } from '../../src-main/provision/cli/node-commands.ts';
import { removeNode } from '../../src-main/provision/join/remove-node.ts';
import { joinNode } from '../../src-main/provision/join/join-node.ts';
import { addBlackholeRoutes } from '../../src-main/provision/lab/blackhole-routes.ts';
import { createTestHosts, removeTestHosts, type TestHost } from '../../src-main/provision/lab/test-hosts.ts';
import { percentile } from './stats.ts';
import { Results } from './table.ts';

const LAB = 'klbench';
const PARALLEL = 5;

export async function benchJoin(results: Results): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-bench-join-'));
  const labDir = join(dataDir, 'lab');
  const removeRoutes = addBlackholeRoutes();
  try {
    const lab = await createTestHosts({ lab: LAB, count: 1 + PARALLEL, dir: labDir, subnetIndex: 240 });
    pinLabHosts(dataDir, lab);
    const server = await controlPlaneFor(dataDir, lab.gateway, 0);
    const access = clusterAccess(dataDir);
    const bundle = readFileSync(await buildAgentBundle());
    const join1 = async (h: TestHost): Promise<number> => {
      const start = performance.now();
      const host = await connectLabHost(dataDir, h.address);
      try {
        await joinNode({ host, client: access.client, serverURL: server, bundle, tokens: access.tokens, nodeName: h.hostname, nodeIP: h.address });
      } finally {
        await host.close();
      }
      return performance.now() - start;
    };
    try {
      const [first, ...rest] = lab.hosts;
      results.add('join one fresh host (connect → Node Ready)', (await join1(first!)) / 1000, 's', { kind: 'max', value: 10 });
      const start = performance.now();
      const each = await Promise.all(rest.map(join1));
      results.add(`join ${PARALLEL} hosts at once (all Ready)`, (performance.now() - start) / 1000, 's', { kind: 'max', value: 20 });
      results.add(`  slowest of the ${PARALLEL}`, Math.max(...each) / 1000, 's');
      results.add(`  median of the ${PARALLEL}`, percentile(each, 50) / 1000, 's');
      // Removal is what lab down does per host; measured for the record.
      const removeStart = performance.now();
      for (const h of lab.hosts) {
        const host = await connectLabHost(dataDir, h.address);
        try {
          await removeNode({ client: access.client, nodeName: h.hostname, host });
        } finally {
          await host.close();
        }
      }
      results.add('remove a node (cordon, drain, reset, files, Node), mean', (performance.now() - removeStart) / lab.hosts.length / 1000, 's');
    } finally {
      access.client.close();
      stopLabControlPlane(dataDir);
    }
  } finally {
    await removeTestHosts(LAB, labDir);
    removeRoutes();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
