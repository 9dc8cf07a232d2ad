// Pod sandbox networks with the real CNI plugins (Debian's containernetworking-plugins) on a test
// host: a network namespace made for the test, holding the node's bridge. Two pods get addresses
// from the node's podCIDR and reach each other; setting a pod up again changes nothing; tearing it
// down frees its address and removes its namespace; hostPorts go through portmap; a restarted
// agent keeps a pod's network and CHECKs it. Nothing is left on the machine afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsNameOf, PodNetwork } from '../../src-main/agent/network/pod-network.ts';
import { addBlackholeRoutes } from './harness/blackhole.ts';

const suffix = `${process.pid}`;
const nodeNetns = `kltest-node-${suffix}`;
const pods = [`a-${suffix}`, `b-${suffix}`, `c-${suffix}`];
let dir: string;
let network: PodNetwork;
let removeRoutes: () => void = () => undefined;

const sh = (...args: string[]) => execFileSync(args[0], args.slice(1), { encoding: 'utf8' });
const netnsList = () => sh('ip', 'netns', 'list');

beforeAll(() => {
  removeRoutes = addBlackholeRoutes();
  dir = mkdtempSync(join(tmpdir(), 'kubelab-cni-'));
  sh('ip', 'netns', 'add', nodeNetns);
  sh('ip', '-n', nodeNetns, 'link', 'set', 'lo', 'up');
  network = new PodNetwork({ podCIDR: '10.42.77.0/24', stateDir: join(dir, 'cni'), bridge: 'kltest0', cni: { binDirs: ['/usr/lib/cni'], hostNetns: nodeNetns } });
});

afterAll(async () => {
  for (const uid of pods) await network?.tearDown(uid).catch(() => undefined);
  for (const uid of pods) if (existsSync(`/run/netns/${netnsNameOf(uid)}`)) sh('ip', 'netns', 'delete', netnsNameOf(uid));
  if (netnsList().includes(nodeNetns)) sh('ip', 'netns', 'delete', nodeNetns);
  removeRoutes();
  rmSync(dir, { recursive: true, force: true });
});

describe('pod sandbox network (CNI bridge + host-local + loopback)', () => {
  it('gives each pod an address of the podCIDR, and pods reach each other', async () => {
    const a = await network.setUp(pods[0]);
    const b = await network.setUp(pods[1]);
    expect(a.ip).toMatch(/^10\.42\.77\.\d+$/);
    expect(b.ip).toMatch(/^10\.42\.77\.\d+$/);
    expect(a.ip).not.toBe(b.ip);
    expect(sh('ip', '-n', a.netnsName, '-4', 'addr', 'show', 'eth0')).toContain(`inet ${a.ip}/24`);
    expect(sh('ip', '-n', a.netnsName, 'link', 'show', 'lo')).toMatch(/state UNKNOWN|UP/);
    // The bridge is the pods' gateway, on the test host, not on this machine.
    expect(sh('ip', '-n', nodeNetns, '-4', 'addr', 'show', 'kltest0')).toContain('inet 10.42.77.1/24');
    expect(sh('ip', '-n', a.netnsName, 'route')).toContain('default via 10.42.77.1');
    expect(sh('ip', 'netns', 'exec', a.netnsName, 'busybox', 'ping', '-c', '1', '-W', '5', b.ip)).toContain('1 packets received');
    expect(sh('ip', 'netns', 'exec', b.netnsName, 'busybox', 'ping', '-c', '1', '-W', '5', '127.0.0.1')).toContain('1 packets received');
  });

  it('sets a pod up only once, and tearing it down frees its address and namespace', async () => {
    const a = await network.setUp(pods[0]);
    expect((await network.setUp(pods[0])).ip).toBe(a.ip);
    const ipam = join(dir, 'cni', 'ipam', 'kubelab');
    expect(readdirSync(ipam)).toContain(a.ip);
    await network.tearDown(pods[0]);
    expect(existsSync(a.netnsPath)).toBe(false);
    expect(readdirSync(ipam)).not.toContain(a.ip);
    await network.tearDown(pods[0]); // again: nothing to do, no error
    const c = await network.setUp(pods[2]);
    expect(c.ip).toMatch(/^10\.42\.77\.\d+$/);
    await network.tearDown(pods[1]);
    await network.tearDown(pods[2]);
    expect(readdirSync(ipam).filter((f) => /^\d/.test(f))).toEqual([]);
    for (const uid of pods) expect(netnsList()).not.toContain(netnsNameOf(uid));
  });

  it('writes its network list, maps hostPorts with portmap, and after an agent restart keeps the pod and CHECKs it', async () => {
    const conf = JSON.parse(readFileSync(join(dir, 'cni', 'net.d', '10-kubelab.conflist'), 'utf8'));
    expect(conf.plugins.map((p: { type: string }) => p.type)).toEqual(['bridge', 'portmap']);
    const a = await network.setUp(pods[0], [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }]);
    const nat = () => sh('ip', 'netns', 'exec', nodeNetns, 'iptables-save', '-t', 'nat');
    expect(nat()).toMatch(new RegExp(`-j DNAT --to-destination ${a.ip.replace(/\./g, '\\.')}:80`));
    // A new agent on the same state: the same address, and CHECK finds it as it was...
    const logs: string[] = [];
    const restarted = new PodNetwork({ podCIDR: '10.42.77.0/24', stateDir: join(dir, 'cni'), bridge: 'kltest0', cni: { binDirs: ['/usr/lib/cni'], hostNetns: nodeNetns }, log: (l) => logs.push(l) });
    expect((await restarted.setUp(pods[0])).ip).toBe(a.ip);
    expect(logs).toEqual([]);
    // ...and says so when it is not (its address gone).
    sh('ip', '-n', a.netnsName, 'addr', 'flush', 'dev', 'eth0');
    expect((await restarted.setUp(pods[0])).ip).toBe(a.ip);
    expect(logs).toEqual([expect.stringContaining(`pod ${pods[0]}: its network is not as CNI made it`)]);
    await restarted.tearDown(pods[0]);
    expect(nat()).not.toContain(`${a.ip}:80`);
    expect(nat()).not.toMatch(/^:CNI-DN-/m);
  });
});
