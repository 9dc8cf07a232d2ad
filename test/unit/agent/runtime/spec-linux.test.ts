import { describe, expect, it } from 'vitest';
import { deviceRules, milliCpuToQuota, milliCpuToShares, namespaces, resources } from '../../../../src-main/agent/runtime/spec-linux.ts';

describe('namespaces', () => {
  it('are new pid, network, ipc, uts and mount; the pod network joined by path', () => {
    expect(namespaces({}, {})).toEqual([{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }]);
    expect(namespaces({ network: '/var/run/netns/p1' }, {})).toContainEqual({ type: 'network', path: '/var/run/netns/p1' });
  });

  it('leave out what the pod shares with the host', () => {
    expect(namespaces({}, { network: true, pid: true, ipc: true })).toEqual([{ type: 'mount' }]);
    expect(namespaces({ pid: '/proc/42/ns/pid' }, {})[0]).toEqual({ type: 'pid', path: '/proc/42/ns/pid' });
  });
});

describe('cpu conversions (kubelet MilliCPUToShares / MilliCPUToQuota)', () => {
  it('shares: 1024 per cpu, 2 at least (also for no request), 262144 at most', () => {
    expect(milliCpuToShares(0)).toBe(2);
    expect(milliCpuToShares(1)).toBe(2);
    expect(milliCpuToShares(2)).toBe(2);
    expect(milliCpuToShares(3)).toBe(3);
    expect(milliCpuToShares(100)).toBe(102);
    expect(milliCpuToShares(250)).toBe(256);
    expect(milliCpuToShares(1000)).toBe(1024);
    expect(milliCpuToShares(1500)).toBe(1536);
    expect(milliCpuToShares(10_000_000)).toBe(262_144);
  });

  it('quota: cpu × period, at least 1000 µs, none for 0', () => {
    expect(milliCpuToQuota(0)).toBe(0);
    expect(milliCpuToQuota(1)).toBe(1000);
    expect(milliCpuToQuota(10)).toBe(1000);
    expect(milliCpuToQuota(500)).toBe(50_000);
    expect(milliCpuToQuota(2500)).toBe(250_000);
  });
});

describe('resources', () => {
  it('memory limit in bytes with swap at the same value when asked', () => {
    expect(resources({ limits: { memory: '16Mi' } }, false, {}).memory).toEqual({ limit: 16 * 1024 * 1024 });
    expect(resources({ limits: { memory: '1G' } }, false, { limitSwap: true }).memory).toEqual({ limit: 1e9, swap: 1e9 });
    expect(resources({}, false, {}).memory).toBeUndefined();
  });

  it('cpu shares from requests, quota and period from limits; a lone limit is the request too', () => {
    expect(resources({ requests: { cpu: '250m' }, limits: { cpu: '1' } }, false, {}).cpu).toEqual({ shares: 256, quota: 100_000, period: 100_000 });
    expect(resources({ requests: { cpu: '100m' } }, false, {}).cpu).toEqual({ shares: 102 });
    expect(resources({ limits: { cpu: '500m' } }, false, {}).cpu).toEqual({ shares: 512, quota: 50_000, period: 100_000 });
    expect(resources(undefined, false, {}).cpu).toEqual({ shares: 2 });
    expect(resources({ requests: { cpu: '2' } }, false, {}).cpu).toEqual({ shares: 2048 });
  });

  it('pids limit only when given', () => {
    expect(resources({}, false, { pidsLimit: 4096 }).pids).toEqual({ limit: 4096 });
    expect(resources({}, false, {}).pids).toBeUndefined();
  });

  it('leaves out the limits of controllers the machine lacks', () => {
    const all = { limits: { memory: '16Mi', cpu: '1' } };
    const out = resources(all, false, { pidsLimit: 100, missingControllers: ['memory', 'pids'] });
    expect(out).toEqual({ devices: deviceRules(false), cpu: { shares: 1024, quota: 100_000, period: 100_000 } });
    expect(Object.keys(resources(all, false, { missingControllers: ['cpu', 'memory', 'pids'] }))).toEqual(['devices']);
  });

  it("devices: containerd's allow list, or everything for a privileged container", () => {
    const rules = deviceRules(false);
    expect(rules[0]).toEqual({ allow: false, access: 'rwm' });
    expect(rules).toContainEqual({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
    expect(rules).toContainEqual({ allow: true, type: 'c', major: 136, access: 'rwm' });
    expect(rules).toContainEqual({ allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' });
    // deny all, mknod any char and block device, then the 10 standard char devices.
    expect(rules).toHaveLength(13);
    expect(deviceRules(true)).toEqual([{ allow: true, access: 'rwm' }]);
  });
});
