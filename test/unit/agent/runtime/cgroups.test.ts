// The cgroup layout and read-back against cgroupfs-shaped trees in a temp dir (the real machine's
// cgroups are exercised by test/integration/agent-runtime.test.ts).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cgroupLayout, checkLimitControllers, containerCgroup, controllerDir, detectCgroupMode, existingCgroupDirs, memoryStats, podCgroup, removePodCgroup, wasOomKilled,
} from '../../../../src-main/agent/runtime/cgroups.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'kubelab-cgroups-'));
  dirs.push(root);
  for (const [f, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, f)), { recursive: true });
    await writeFile(path.join(root, f), text);
  }
  return root;
}

describe('cgroup layout', () => {
  it('detects v2, hybrid and v1', async () => {
    expect(await detectCgroupMode(await tree({ 'cgroup.controllers': 'cpu memory pids\n' }))).toBe('v2');
    expect(await detectCgroupMode(await tree({ 'memory/tasks': '', 'unified/cgroup.controllers': '' }))).toBe('hybrid');
    expect(await detectCgroupMode(await tree({ 'memory/tasks': '' }))).toBe('v1');
  });

  it('names the limit controllers a machine lacks, and the agent refuses it unless told', async () => {
    const full = await cgroupLayout('/k', await tree({ 'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma\n' }));
    expect(full.missingControllers).toEqual([]);
    // A v2 tree whose controllers are bound elsewhere, and a v1 Raspberry Pi without memory.
    const bare = await cgroupLayout('/k', await tree({ 'cgroup.controllers': 'hugetlb\n' }));
    expect(bare.missingControllers).toEqual(['cpu', 'memory', 'pids']);
    const pi = await cgroupLayout('/k', await tree({ 'cpu/tasks': '', 'pids/tasks': '', 'unified/cgroup.controllers': '' }));
    expect([pi.mode, pi.missingControllers]).toEqual(['hybrid', ['memory']]);
    const lines: string[] = [];
    checkLimitControllers(full, false, (l) => lines.push(l));
    expect(() => checkLimitControllers(pi, false, (l) => lines.push(l))).toThrow(
      `cgroup hybrid at ${pi.mountRoot} has no memory controllers: enable them on the kernel command line (cgroup_enable=memory on a Raspberry Pi), or pass --allow-missing-cgroup-controllers to run pods without those limits`,
    );
    checkLimitControllers(pi, true, (l) => lines.push(l));
    expect(lines).toEqual(['agent: cgroup hybrid without the memory controllers: pod limits are not enforced']);
  });

  it('places containers under the pod under the agent parent', async () => {
    const layout = await cgroupLayout('kubelab/node-a/', await tree({ 'memory/tasks': '' }));
    expect(layout.parent).toBe('/kubelab/node-a');
    expect(podCgroup(layout, '1234')).toBe('/kubelab/node-a/pod1234');
    expect(containerCgroup(layout, '1234', 'abc')).toBe('/kubelab/node-a/pod1234/abc');
    await expect(cgroupLayout('/', layout.mountRoot)).rejects.toThrow(/must not be the cgroup root/);
    expect(controllerDir(layout, 'memory', '/x')).toBe(path.join(layout.mountRoot, 'memory/x'));
    expect(controllerDir({ ...layout, mode: 'v2' }, 'memory', '/x')).toBe(path.join(layout.mountRoot, 'x'));
  });

  it('reads v1 memory usage, limit and the oom_kill counter', async () => {
    const root = await tree({
      'memory/k/p/c/memory.usage_in_bytes': '16777216\n',
      'memory/k/p/c/memory.limit_in_bytes': '16777216\n',
      'memory/k/p/c/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n',
      'memory/k/p/d/memory.usage_in_bytes': '4096\n',
      'memory/k/p/d/memory.limit_in_bytes': '9223372036854771712\n',
      'memory/k/p/d/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
    });
    const layout = await cgroupLayout('/k', root);
    expect(await memoryStats(layout, '/k/p/c')).toEqual({ usageBytes: 16777216, limitBytes: 16777216, oomKills: 1 });
    expect(await memoryStats(layout, '/k/p/d')).toEqual({ usageBytes: 4096, limitBytes: undefined, oomKills: 0 });
    expect(await wasOomKilled(layout, '/k/p/c')).toBe(true);
    expect(await wasOomKilled(layout, '/k/p/d')).toBe(false);
  });

  it('reads v2 memory.current, memory.max and memory.events', async () => {
    const root = await tree({
      'cgroup.controllers': 'memory',
      'k/p/c/memory.current': '1000\n', 'k/p/c/memory.max': 'max\n',
      'k/p/c/memory.events': 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n',
    });
    expect(await memoryStats(await cgroupLayout('/k', root), '/k/p/c')).toEqual({ usageBytes: 1000, limitBytes: undefined, oomKills: 2 });
  });

  it('removes a pod in every hierarchy, children first, and again without complaint', async () => {
    const root = await tree({ 'memory/tasks': '', 'cpu/tasks': '', 'unified/cgroup.controllers': '' });
    for (const h of ['memory', 'cpu', 'unified']) await mkdir(path.join(root, h, 'k/pod1/c1'), { recursive: true });
    await mkdir(path.join(root, 'memory/k/pod2'), { recursive: true });
    const layout = await cgroupLayout('/k', root);
    expect(await existingCgroupDirs(layout, '/k/pod1')).toHaveLength(3);
    await removePodCgroup(layout, '1');
    expect(await existingCgroupDirs(layout, '/k/pod1')).toEqual([]);
    expect(await existingCgroupDirs(layout, '/k/pod2')).toHaveLength(1);
    await removePodCgroup(layout, '1');
  });
});
