import { describe, expect, it } from 'vitest';
import { bindMount, containerMounts, defaultMounts } from '../../../../src-main/agent/runtime/spec-mounts.ts';

const dests = (ms: { destination: string }[]) => ms.map((m) => m.destination);

describe('mounts', () => {
  it("are containerd's defaults without /run, plus a read-only /sys/fs/cgroup", () => {
    const ms = defaultMounts(false);
    expect(dests(ms)).toEqual(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
    expect(ms.find((m) => m.destination === '/proc')).toEqual({ destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] });
    expect(ms.find((m) => m.destination === '/dev')?.options).toEqual(['nosuid', 'strictatime', 'mode=755', 'size=65536k']);
    expect(ms.find((m) => m.destination === '/dev/pts')?.options).toContain('newinstance');
    expect(ms.find((m) => m.destination === '/dev/shm')?.options).toContain('mode=1777');
    expect(ms.find((m) => m.destination === '/sys')?.options).toContain('ro');
    expect(ms.find((m) => m.destination === '/sys/fs/cgroup')).toMatchObject({ type: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] });
  });

  it('leave /sys and /sys/fs/cgroup writable for a privileged container', () => {
    const ms = defaultMounts(true);
    expect(ms.find((m) => m.destination === '/sys')?.options).not.toContain('ro');
    expect(ms.find((m) => m.destination === '/sys/fs/cgroup')?.options).not.toContain('ro');
  });

  it('bind volumes recursively, read-only or not, with the asked propagation', () => {
    expect(bindMount({ source: '/v/data', destination: '/data' })).toEqual({ destination: '/data', type: 'bind', source: '/v/data', options: ['rbind', 'rprivate', 'rw'] });
    expect(bindMount({ source: '/v', destination: '/cfg', readOnly: true }).options).toEqual(['rbind', 'rprivate', 'ro']);
    expect(bindMount({ source: '/v', destination: '/m', propagation: 'HostToContainer' }).options).toEqual(['rbind', 'rslave', 'rw']);
    expect(bindMount({ source: '/v', destination: '/m', propagation: 'Bidirectional' }).options).toEqual(['rbind', 'rshared', 'rw']);
  });

  it('let a volume replace a default at the same destination and mount parents first', () => {
    const ms = containerMounts(false, [
      { source: '/v/deep', destination: '/data/sub/deeper' },
      { source: '/v/data', destination: '/data' },
      { source: '/v/shm', destination: '/dev/shm/' },
      { source: '/pod/hosts', destination: '/etc/hosts' },
    ]);
    expect(ms.filter((m) => m.destination.replace(/\/$/, '') === '/dev/shm')).toEqual([
      { destination: '/dev/shm/', type: 'bind', source: '/v/shm', options: ['rbind', 'rprivate', 'rw'] },
    ]);
    const order = dests(ms);
    expect(order.indexOf('/data')).toBeLessThan(order.indexOf('/data/sub/deeper'));
    expect(order.indexOf('/dev')).toBeLessThan(order.indexOf('/dev/shm/'));
    expect(order.indexOf('/sys')).toBeLessThan(order.indexOf('/sys/fs/cgroup'));
    expect(order).toContain('/etc/hosts');
    expect(ms).toHaveLength(10);
  });
});
