// What --install-deps asks each package manager for, from the facts of a bare machine.
import { describe, expect, it } from 'vitest';
import { installCommand, missingPackages } from '../../../src-main/provision/install/packages.ts';
import type { HostFacts } from '../../../src-main/provision/preflight/host-facts.ts';

const bare: HostFacts = {
  os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12', idLike: [] }, machine: 'aarch64', kernel: '6.1.0', hostname: 'pi', machineId: 'x',
  cgroupFs: 'cgroup2fs', cgroupControllers: ['cpu', 'memory', 'pids'], swapOn: false, commands: { 'apt-get': '/usr/bin/apt-get' }, cniPlugins: [],
  listeningPorts: [], clockMs: 0, init: 'systemd', packageManager: 'apt', overlayfs: true,
};

describe('missing packages', () => {
  it('names each need in the package manager own package', () => {
    expect(missingPackages(bare)).toEqual(['nodejs', 'runc', 'iproute2', 'iptables', 'bsdutils', 'containernetworking-plugins']);
    expect(missingPackages({ ...bare, packageManager: 'apk' }, 'crun')).toEqual(['nodejs', 'crun', 'iproute2', 'iptables', 'util-linux-misc', 'cni-plugins']);
    expect(missingPackages({ ...bare, packageManager: 'dnf' })).toContain('iproute');
  });

  it('asks for nothing a machine has, and upgrades a Node.js older than 18', () => {
    const full: HostFacts = { ...bare, commands: { node: '/usr/bin/node', runc: '/usr/sbin/runc', ip: '/sbin/ip', iptables: '/sbin/iptables', script: '/usr/bin/script' }, nodeVersion: 'v20.1.0', cniPlugins: ['bridge', 'host-local', 'loopback', 'portmap'] };
    expect(missingPackages(full)).toEqual([]);
    expect(missingPackages({ ...full, nodeVersion: 'v16.0.0' })).toEqual(['nodejs']);
    expect(missingPackages({ ...full, packageManager: undefined, commands: {} })).toEqual([]);
  });

  it('installs without questions, refreshing apt lists only when a package is unknown', () => {
    expect(installCommand('apt', ['runc', 'iptables'])).toBe(
      'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends runc iptables || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends runc iptables; }',
    );
    expect(installCommand('dnf', ['runc'])).toBe('dnf install -y runc');
    expect(installCommand('apk', ['runc'])).toBe('apk add --no-cache runc');
  });
});
