// `kubelab serve --simulate-nodes N` as a user runs it: the API server in one process, the
// controllers and the scheduler in their child process, N hollow nodes — and kubectl sees a
// working cluster.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kubectl } from './harness/kubectl.ts';
import { KubelabServer } from './harness/server.ts';
import { waitFor } from './harness/cluster.ts';

let server: KubelabServer;
let kubectl: Kubectl;

beforeAll(async () => {
  server = await KubelabServer.start({ args: ['--simulate-nodes', '3'] });
  kubectl = new Kubectl('1.35', server.kubeconfigPath);
});
afterAll(async () => {
  await kubectl?.cleanup();
  await server?.stop();
});

function childPids(pid: number): number[] {
  try {
    return execFileSync('cat', [`/proc/${pid}/task/${pid}/children`], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('kubelab serve --simulate-nodes 3', () => {
  it('shows nodes sim-1 … sim-3, Ready, with 4 CPU and 16 GiB', async () => {
    const out = await kubectl.ok(['get', 'nodes']);
    expect(out).toMatch(/^sim-1\s+Ready\s/m);
    expect(out).toMatch(/^sim-3\s+Ready\s/m);
    const cpu = await kubectl.ok(['get', 'node', 'sim-2', '-o', 'jsonpath={.status.capacity.cpu} {.status.capacity.memory} {.spec.podCIDR}']);
    expect(cpu).toMatch(/^4 16Gi 10\.42\.\d+\.0\/24$/);
  });

  it('runs a Deployment to completion and reports usage through kubectl top', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=4']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const pods = await kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide']);
    expect(pods.match(/\sRunning\s/g)).toHaveLength(4);
    expect(pods).toMatch(/\ssim-\d\s/);
    const top = await waitFor('kubectl top nodes', async () => {
      const r = await kubectl.run(['top', 'nodes']);
      return r.code === 0 && r.stdout;
    }, 30_000, 500);
    expect(top).toMatch(/^sim-1\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/m);
  });

  it('runs the controllers in a child process that goes away with the server', async () => {
    const pid = server.pid;
    expect(pid).toBeGreaterThan(0);
    const children = childPids(pid!);
    expect(children.length).toBeGreaterThan(0);
    const cmdline = execFileSync('cat', [`/proc/${children[0]}/cmdline`], { encoding: 'utf8' });
    expect(cmdline).toContain('controller-manager');
    await server.stop();
    await waitFor('the controller manager gone', () => children.every((c) => {
      try {
        process.kill(c, 0);
        return false;
      } catch {
        return true;
      }
    }), 15_000);
  });
});
