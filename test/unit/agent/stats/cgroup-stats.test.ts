// The cgroup readers on fake cgroupfs trees of each layout (the machine running the tests has
// one layout only): the files and keys each kernel interface names.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cgroupLayout } from '../../../../src-main/agent/runtime/cgroups.ts';
import { readCgroup, readNode } from '../../../../src-main/agent/stats/cgroup-stats.ts';

const root = mkdtempSync(join(tmpdir(), 'kubelab-cgstats-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function files(dir: string, content: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(content)) writeFileSync(join(dir, name), text);
}

describe('cgroup stats', () => {
  it('reads v2: cpu.stat usage_usec, memory.current less inactive_file, pids.current', async () => {
    const mount = join(root, 'v2');
    files(mount, { 'cgroup.controllers': 'cpu memory pids\n', 'cpu.stat': 'usage_usec 9000000\nuser_usec 1\n' });
    files(join(mount, 'kubelab/n/podu/c1'), {
      'cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n',
      'memory.current': '10485760\n',
      'memory.stat': 'anon 4194304\nfile 6291456\ninactive_file 2097152\nactive_file 4194304\npgfault 77\npgmajfault 3\n',
      'pids.current': '4\n',
    });
    const layout = await cgroupLayout('/kubelab/n', mount);
    expect(layout.mode).toBe('v2');
    expect(await readCgroup(layout, '/kubelab/n/podu/c1')).toEqual({
      cpuUsageNanos: 1_500_000, processes: 4,
      memory: { usageBytes: 10485760, workingSetBytes: 8388608, rssBytes: 4194304, pageFaults: 77, majorPageFaults: 3 },
    });
    // The v2 root has cpu.stat but no memory files: memory comes from /proc/meminfo.
    const node = await readNode(layout);
    expect(node.cpuUsageNanos).toBe(9_000_000_000);
    expect(node.memory.usageBytes).toBeGreaterThan(0);
    await expect(readCgroup(layout, '/kubelab/n/podu/gone')).rejects.toThrow(/ENOENT/);
  });

  it('reads v1 (and hybrid): cpuacct.usage, memory.usage_in_bytes less total_inactive_file', async () => {
    const mount = join(root, 'v1');
    files(join(mount, 'cpuacct'), { 'cpuacct.usage': '123456789\n' });
    files(join(mount, 'memory'), { 'memory.usage_in_bytes': '1000000\n', 'memory.stat': 'cache 5\ntotal_inactive_file 400000\ntotal_rss 300000\ntotal_pgfault 9\ntotal_pgmajfault 1\n' });
    files(join(mount, 'unified'), { 'cgroup.controllers': '' });
    files(join(mount, 'cpuacct/kubelab/n/podu'), { 'cpuacct.usage': '42\n' });
    files(join(mount, 'memory/kubelab/n/podu'), { 'memory.usage_in_bytes': '8192\n', 'memory.stat': 'inactive_file 1\ntotal_inactive_file 4096\ntotal_rss 2048\ntotal_pgfault 5\ntotal_pgmajfault 0\n' });
    const layout = await cgroupLayout('/kubelab/n', mount);
    expect(layout.mode).toBe('hybrid');
    // No pids controller here: the count is unknown, not 0.
    expect(await readCgroup(layout, '/kubelab/n/podu')).toEqual({
      cpuUsageNanos: 42, processes: undefined,
      memory: { usageBytes: 8192, workingSetBytes: 4096, rssBytes: 2048, pageFaults: 5, majorPageFaults: 0 },
    });
    expect(await readNode(layout)).toEqual({
      cpuUsageNanos: 123456789,
      memory: { usageBytes: 1000000, workingSetBytes: 600000, rssBytes: 300000, pageFaults: 9, majorPageFaults: 1 },
    });
  });
});
