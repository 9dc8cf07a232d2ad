// Test hosts as provisioning sees them: through the real ssh client, as root with the lab's key,
// each host must look like a machine of its own (hostname, machine-id, network, the folders an
// installer writes), reach the lab's gateway and nothing else, and leave nothing behind when
// removed, also after its sshd was SIGKILLed and after a lab that crashed is made again.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHosts, leftovers, removeTestHosts, type TestHost, type TestLab } from '../../src-main/provision/lab/test-hosts.ts';
import { addBlackholeRoutes } from './harness/blackhole.ts';

const pid = process.pid;
// Lab names name interfaces (at most 10 characters); subnets are this file's own. The other
// lab's name starts with this one's: removing one must never take the other's links.
const LAB = `l${pid % 100_000}`;
const OTHER = `${LAB}-1`;
const SUBNET = 231;
const OTHER_SUBNET = 232;

const dir = mkdtempSync(join(tmpdir(), 'kubelab-lab-hosts-'));
const otherDir = join(dir, 'other');
/** A file of the machine's /usr/local/bin that the hosts must see through their overlay. */
const machineTool = `/usr/local/bin/kubelab-lab-test-${pid}`;
let lab: TestLab;
let removeRoutes: (() => void) | undefined;
const servers: Server[] = [];

interface Result { code: number; stdout: string; stderr: string }

/** Runs a command on a host with the real ssh client, pinned to the lab's known_hosts. */
function ssh(l: TestLab, host: TestHost, command: string): Promise<Result> {
  const args = [
    '-i', l.keyPath, '-o', `UserKnownHostsFile=${l.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR', '-p', String(host.sshPort), `root@${host.address}`, command,
  ];
  return new Promise((resolve) => {
    execFile('ssh', args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 255) : 0, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

async function sshOk(l: TestLab, host: TestHost, command: string): Promise<string> {
  const r = await ssh(l, host, command);
  if (r.code !== 0) throw new Error(`ssh ${host.hostname} '${command}' exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** What a TCP connect from the host to address:port gives: connected, ECONNREFUSED, timeout... */
function dialFrom(host: TestHost, address: string, port: number, from = lab): Promise<string> {
  const js = `const s=require("net").connect({host:"${address}",port:${port},timeout:1500});`
    + 's.on("connect",()=>{console.log("connected");s.destroy()});s.on("error",(e)=>console.log(e.code));s.on("timeout",()=>{console.log("timeout");s.destroy()})';
  return sshOk(from, host, `node -e '${js}'`);
}

async function listen(address: string): Promise<number> {
  const server = createServer((socket) => socket.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return (server.address() as AddressInfo).port;
}

/** The machine's IPv4 addresses other than loopback and the labs'. */
const machineAddresses = (): string[] =>
  execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' }).split('\n')
    .map((l) => /inet (\d+\.\d+\.\d+\.\d+)\//.exec(l)?.[1]).filter((a): a is string => !!a && !a.startsWith('127.') && !a.startsWith('198.18.'));

/** A process is alive while it is not a zombie (init reaps those on its own time). */
function alive(p: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const clean = { processes: [], netns: [], links: [], mounts: [], rules: [], files: [] };

beforeAll(async () => {
  removeRoutes = addBlackholeRoutes();
  writeFileSync(machineTool, '#!/bin/sh\necho machine\n', { mode: 0o755 });
  lab = await createTestHosts({ lab: LAB, count: 2, dir, subnetIndex: SUBNET });
});

afterAll(async () => {
  for (const s of servers) s.close();
  await removeTestHosts(LAB, dir).catch(() => undefined);
  await removeTestHosts(OTHER, otherDir).catch(() => undefined);
  rmSync(machineTool, { force: true });
  rmSync(dir, { recursive: true, force: true });
  removeRoutes?.();
});

describe('test hosts over SSH', () => {
  it('gives each host its own address, hostname and machine-id', async () => {
    expect(lab.gateway).toBe(`198.18.${SUBNET}.1`);
    expect(lab.hosts.map((h) => [h.name, h.hostname, h.address])).toEqual([
      ['node-0', `${LAB}-node-0`, `198.18.${SUBNET}.10`],
      ['node-1', `${LAB}-node-1`, `198.18.${SUBNET}.11`],
    ]);
    const seen = await Promise.all(lab.hosts.map((h) => sshOk(lab, h, 'hostname; cat /etc/hostname /etc/machine-id; ip route show default; ls /sys/class/net')));
    const machineId = readFileSync('/etc/machine-id', 'utf8').trim();
    const ids = new Set<string>([machineId]);
    for (const [i, out] of seen.entries()) {
      const [hostname, etcHostname, machineIdThere, route, ...links] = out.split('\n');
      expect(hostname).toBe(`${LAB}-node-${i}`);
      expect(etcHostname).toBe(hostname);
      expect(machineIdThere).toMatch(/^[0-9a-f]{32}$/);
      ids.add(machineIdThere!);
      expect(route).toContain(`default via ${lab.gateway} dev eth0`);
      // sysfs of the host's own network namespace: its eth0, not the machine's links.
      expect(links.sort()).toEqual(['eth0', 'lo']);
    }
    expect(ids.size).toBe(3);
  });

  it('shows the fingerprint the host serves, and ssh pins it', async () => {
    for (const h of lab.hosts) {
      const scanned = execFileSync('sh', ['-c', `ssh-keyscan -t ed25519 ${h.address} 2>/dev/null | ssh-keygen -lf -`], { encoding: 'utf8' });
      expect(scanned.split(' ')[1]).toBe(h.hostKeyFingerprint);
      expect(h.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
    expect(lab.hosts[0]!.hostKeyFingerprint).not.toBe(lab.hosts[1]!.hostKeyFingerprint);
    // A known_hosts with the other host's key under this address: ssh refuses, as it must.
    const wrong = join(dir, 'wrong_known_hosts');
    writeFileSync(wrong, `${lab.hosts[0]!.address} ${lab.hosts[1]!.hostKey}\n`);
    const refused = await ssh({ ...lab, knownHostsPath: wrong }, lab.hosts[0]!, 'true');
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('keeps what a host writes on that host, and shows it the machine\'s binaries', async () => {
    const [a, b] = lab.hosts as [TestHost, TestHost];
    const marker = `written-${pid}`;
    const paths = ['/var/lib/kubelab-agent', '/etc/kubelab', '/usr/local/lib/kubelab', '/usr/local/bin', '/etc/systemd/system', '/var/log/kubelab'];
    await sshOk(lab, a, paths.map((p) => `echo ${a.hostname} > ${p}/${marker}`).join(' && '));
    const look = paths.map((p) => `if test -e ${p}/${marker}; then cat ${p}/${marker}; else echo none; fi`).join('; ');
    expect((await sshOk(lab, a, look)).split('\n')).toEqual(paths.map(() => a.hostname));
    expect((await sshOk(lab, b, look)).split('\n')).toEqual(paths.map(() => 'none'));
    for (const p of paths) {
      expect(existsSync(join(p, marker))).toBe(false);
      // The host's folder holds it (the machine path under root/).
      expect(readFileSync(join(a.dir, 'root', p, marker), 'utf8').trim()).toBe(a.hostname);
    }
    // The overlay keeps the machine's /usr/local/bin visible, and node on the PATH.
    expect(await sshOk(lab, b, `${machineTool}; command -v node`)).toBe(`machine\n${execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim()}`);
    // And the cgroup tree is there for the agent.
    expect(await sshOk(lab, a, 'test -d /sys/fs/cgroup && ls /sys/fs/cgroup | wc -l')).not.toBe('0');
  });

  it('makes pod network namespaces of a host visible to the machine', async () => {
    const name = `kubelab-labtest-${pid}`;
    await sshOk(lab, lab.hosts[0]!, `ip netns add ${name}`);
    try {
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(name);
    } finally {
      execFileSync('ip', ['netns', 'delete', name]);
    }
  });

  it('reaches the gateway and the other hosts, and is refused everything else', async () => {
    const [a, b] = lab.hosts as [TestHost, TestHost];
    const other = await createTestHosts({ lab: OTHER, count: 1, dir: otherDir, subnetIndex: OTHER_SUBNET });
    const onGateway = await listen(lab.gateway);
    const onAll = await listen('0.0.0.0');
    expect(await dialFrom(a, lab.gateway, onGateway)).toBe('connected');
    expect(await dialFrom(a, lab.gateway, onAll)).toBe('connected');
    expect(await dialFrom(a, b.address, 22)).toBe('connected');
    // The machine's other addresses and another lab's gateway refuse the host at once...
    for (const address of [...machineAddresses(), other.gateway]) {
      expect([address, await dialFrom(a, address, onAll)]).toEqual([address, 'ECONNREFUSED']);
    }
    // ...and what would have to be forwarded is dropped: the bridge forwards nothing.
    expect(await dialFrom(a, other.hosts[0]!.address, 22)).toBe('timeout');
    // The other lab is fenced the same way, from this one.
    expect(await dialFrom(other.hosts[0]!, lab.gateway, onAll, other)).toBe('ECONNREFUSED');
    expect(await dialFrom(other.hosts[0]!, other.gateway, onAll, other)).toBe('connected');
    // The pod range never leaves the machine (blackholed, and nothing forwarded from the bridge).
    expect(await dialFrom(a, '10.42.255.254', 80)).toBe('timeout');
    expect(readFileSync(`/proc/sys/net/ipv4/conf/${lab.bridge}/forwarding`, 'utf8').trim()).toBe('0');
    expect(await removeTestHosts(OTHER, otherDir)).toEqual(clean);
  });
});

describe('removing test hosts', () => {
  it('leaves nothing, also after a SIGKILLed sshd and with a process left running over SSH', async () => {
    const [a, b] = lab.hosts as [TestHost, TestHost];
    // What an agent's supervisor does: a process that outlives the SSH session.
    const sleeper = Number(await sshOk(lab, b, 'setsid sleep 600 </dev/null >/dev/null 2>&1 & echo $!'));
    expect(sleeper).toBeGreaterThan(0);
    process.kill(a.pid, 'SIGKILL');
    expect(await leftovers(LAB, dir)).not.toEqual(clean);
    const started = Date.now();
    expect(await removeTestHosts(LAB, dir)).toEqual(clean);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(alive(sleeper)).toBe(false);
    expect(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).not.toContain(lab.bridge);
    expect(execFileSync('iptables', ['-w', '-S'], { encoding: 'utf8' })).not.toContain(`kubelab-lab:${LAB}`);
    expect(existsSync(a.dir)).toBe(false);
    // The lab's key stays for the next lab in this folder; removing again finds nothing to do.
    expect(existsSync(lab.keyPath)).toBe(true);
    expect(await removeTestHosts(LAB, dir)).toEqual(clean);
  });

  it('makes a lab again over one that crashed, and then removes it whole', async () => {
    const crashed = await createTestHosts({ lab: LAB, count: 2, dir, subnetIndex: SUBNET });
    // A crash: one sshd killed, the other left running, nobody removes the lab, and the state
    // file lost too (a crash before it was written): the lab's names are enough to find it.
    process.kill(crashed.hosts[0]!.pid, 'SIGKILL');
    rmSync(join(dir, `${LAB}.lab.json`));
    const again = await createTestHosts({ lab: LAB, count: 2, dir, subnetIndex: SUBNET });
    expect(alive(crashed.hosts[1]!.pid)).toBe(false);
    expect(again.hosts[0]!.hostKeyFingerprint).not.toBe(crashed.hosts[0]!.hostKeyFingerprint);
    expect(await sshOk(again, again.hosts[1]!, 'hostname')).toBe(`${LAB}-node-1`);
    expect(await removeTestHosts(LAB, dir)).toEqual(clean);
    expect(await leftovers(LAB, dir)).toEqual(clean);
  });

  it('refuses bad input with a precise error and makes nothing', async () => {
    await expect(createTestHosts({ lab: 'Bad_Name', count: 1, dir })).rejects.toThrow(/lab name "Bad_Name" must be lower-case letters/);
    await expect(createTestHosts({ lab: 'waytoolonglab', count: 1, dir })).rejects.toThrow(/longer than 10 characters/);
    await expect(createTestHosts({ lab: LAB, count: 0, dir })).rejects.toThrow(/count 0 must be an integer from 1 to 99/);
    await expect(createTestHosts({ lab: LAB, count: 1, dir, subnetIndex: 256 })).rejects.toThrow(/subnetIndex 256 must be an integer from 0 to 255/);
    const taken = await createTestHosts({ lab: OTHER, count: 1, dir: otherDir, subnetIndex: OTHER_SUBNET });
    try {
      await expect(createTestHosts({ lab: LAB, count: 1, dir, subnetIndex: OTHER_SUBNET })).rejects.toThrow(`subnet 198.18.${OTHER_SUBNET}.0/24 is already used by ${taken.bridge}`);
      // Removing lab "X" leaves lab "X-1" (klab-X-1, kvX-1-0, klab-X-1-0) alone.
      expect(await removeTestHosts(LAB, dir)).toEqual(clean);
      expect(await sshOk(taken, taken.hosts[0]!, 'hostname')).toBe(`${OTHER}-node-0`);
    } finally {
      expect(await removeTestHosts(OTHER, otherDir)).toEqual(clean);
    }
    expect(await leftovers(LAB, dir)).toEqual(clean);
  });
});
