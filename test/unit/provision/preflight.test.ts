// The facts script on this very machine (a real Debian host: what it prints must match what
// Node sees), and the checks' verdicts on facts as a Raspberry Pi, a cloned SD card or a machine
// missing packages would give them.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { factsScript, parseFacts, type HostFacts } from '../../../src-main/provision/preflight/host-facts.ts';
import { apiProbeScript, checkCgroups, checkPodNetwork, parsePeerRoute, peerRouteScript, checkClock, checkIdentity, checkNode, checkPorts, runChecks } from '../../../src-main/provision/preflight/checks.ts';

const here = parseFacts(execFileSync('sh', ['-s'], { input: factsScript(), encoding: 'utf8' }));

describe('the facts script', () => {
  it('reads this machine as Node does', () => {
    const osRelease = readFileSync('/etc/os-release', 'utf8');
    expect(here.os.id).toBe(/^ID=(.*)$/m.exec(osRelease)![1]!.replace(/"/g, ''));
    expect(here.machine).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
    expect(here.kernel).toBe(release());
    expect(here.hostname).toBe(hostname());
    expect(here.machineId).toBe(readFileSync('/etc/machine-id', 'utf8').trim());
    expect(here.nodeVersion).toBe(process.version);
    expect(here.commands.runc).toMatch(/\/runc$/);
    expect(here.cniPlugins).toEqual(expect.arrayContaining(['bridge', 'host-local', 'loopback']));
    expect(here.overlayfs).toBe(true);
    expect(here.cgroupControllers).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));
    expect(Math.abs(here.clockMs - Date.now())).toBeLessThan(5000);
    expect(here.init).toBe('none'); // no systemd as PID 1 here
    expect(here.packageManager).toBe('apt');
  });

  it('sees a port that something listens on', async () => {
    const { createServer } = await import('node:net');
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const facts = parseFacts(execFileSync('sh', ['-s'], { input: factsScript(), encoding: 'utf8' }));
    server.close();
    expect(facts.listeningPorts).toContain(port);
    expect(checkPorts(facts, port)).toMatchObject({ status: 'fail', detail: `${port} is in use` });
  });

  it('passes this machine, a runc node with everything', () => {
    const results = runChecks({ facts: here, nodeName: 'new-node', cluster: { nodes: [] }, clockSkewMs: 0, agentPort: 1, apiProbe: { ok: true, detail: 'HTTP 200' } });
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(results.map((r) => r.name)).toEqual(['os', 'arch', 'kernel', 'cgroups', 'swap', 'node', 'runtime', 'iproute2', 'iptables', 'util-linux', 'cni', 'ports', 'clock', 'hostname', 'machine-id', 'api', 'pod-network']);
  });
});

const pi: HostFacts = {
  ...here,
  os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', idLike: [] },
  machine: 'aarch64', cgroupFs: 'cgroup2fs', cgroupControllers: ['cpuset', 'cpu', 'io', 'pids'], swapOn: true,
  commands: {}, nodeVersion: undefined, hostname: 'raspberrypi', machineId: 'abc',
};

describe('the checks', () => {
  it("fails a Raspberry Pi without the memory cgroup and tells how to enable it", () => {
    expect(checkCgroups(pi)).toEqual({
      name: 'cgroups', status: 'fail', detail: 'v2, without the memory controller',
      fix: 'add "cgroup_enable=memory cgroup_memory=1" to the kernel command line (/boot/firmware/cmdline.txt on a Raspberry Pi) and reboot',
    });
    const byName = new Map(runChecks({ facts: pi, nodeName: 'raspberrypi', cluster: { nodes: [] }, clockSkewMs: 0, agentPort: 10250 }).map((r) => [r.name, r]));
    expect(byName.get('arch')).toMatchObject({ status: 'pass', detail: 'aarch64 (arm64)' });
    expect(byName.get('swap')?.status).toBe('warn');
    expect(byName.get('node')).toMatchObject({ status: 'fail', fix: 'install Node.js 18 or newer (or pass --install-deps)' });
    expect(byName.get('runtime')).toMatchObject({ status: 'fail', detail: 'runc not found on the PATH' });
    expect(byName.get('api')?.status).toBe('warn');
  });

  it('tells a node that is already joined from a second machine with the same name or a cloned disk', () => {
    const cluster = { nodes: [{ name: 'raspberrypi', machineID: 'abc' }, { name: 'pi-2', machineID: 'def' }] };
    expect(checkIdentity(pi, 'raspberrypi', cluster).map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(checkIdentity(pi, 'raspberrypi', cluster)[0]!.detail).toBe('raspberrypi: this machine, already joined');
    expect(checkIdentity({ ...pi, machineId: 'zzz' }, 'raspberrypi', cluster)[0]).toMatchObject({ status: 'fail', detail: 'a node named raspberrypi already exists (another machine)' });
    expect(checkIdentity({ ...pi, machineId: 'def' }, 'pi-3', cluster)[1]).toMatchObject({ status: 'fail', detail: "same as node pi-2's (a cloned disk image?)" });
  });

  it('judges Node.js versions and clock skew', () => {
    expect(checkNode({ ...pi, commands: { node: '/usr/bin/node' }, nodeVersion: 'v16.20.0' })).toMatchObject({ status: 'fail', detail: 'Node.js v16.20.0 is older than 18' });
    expect(checkNode({ ...pi, commands: { node: '/usr/bin/node' }, nodeVersion: 'v18.19.0' }).status).toBe('pass');
    expect(checkClock(1500).status).toBe('pass');
    expect(checkClock(-10_000)).toMatchObject({ status: 'warn', detail: '10 s behind this computer' });
    expect(checkClock(120_000)).toMatchObject({ status: 'fail', detail: '120 s ahead of this computer' });
  });

  it('probes the API from the host with its Node.js, for real', async () => {
    const { createServer } = await import('node:https');
    const { selfSignedServingCert } = await import('../../../src-main/agent/certificates/self-signed-cert.ts');
    const cert = selfSignedServingCert('probe', { dns: [], ips: ['127.0.0.1'] }, 1);
    const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => res.writeHead(req.url === '/cacerts' ? 200 : 404).end()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    // Asynchronously: the server answers from this process.
    const run = (url: string) => new Promise((resolve) => {
      execFile('sh', ['-c', apiProbeScript(url)], { encoding: 'utf8' }, (err, stdout) => resolve({ ok: !err, out: stdout }));
    });
    expect(await run(`https://127.0.0.1:${port}/`)).toEqual({ ok: true, out: 'HTTP 200\n' });
    await new Promise((r) => server.close(r));
    expect(await run(`https://127.0.0.1:${port}`)).toEqual({ ok: false, out: 'ECONNREFUSED\n' });
  });

  it('warns when another node is behind a router, where pod routes between nodes cannot work', () => {
    expect(parsePeerRoute('10.0.1.5 via 10.0.0.1 dev eth0 src 10.0.0.7 uid 0')).toBe('10.0.0.1');
    expect(parsePeerRoute('198.18.0.11 dev eth0 src 198.18.0.10 uid 0')).toBeUndefined();
    expect(checkPodNetwork([{ node: 'pi-1', ip: '198.18.0.11' }, { node: 'pi-2', ip: '198.18.0.12' }])).toEqual({ name: 'pod-network', status: 'pass', detail: 'on one network segment with the 2 other nodes' });
    const routed = checkPodNetwork([{ node: 'pi-1', ip: '198.18.0.11' }, { node: 'cloud', ip: '10.0.1.5', via: '10.0.0.1' }]);
    expect(routed).toMatchObject({ status: 'warn', detail: "not on this host's network segment: cloud (10.0.1.5, through the router 10.0.0.1); pods there will not reach pods here" });
    expect(routed.fix).toContain('one network');
    // The script is what the host runs: one line per address, also for one it has no route to.
    const out = execFileSync('sh', ['-c', peerRouteScript(['127.0.0.1', '0.0.0.0/8'])], { encoding: 'utf8' }).split('\n');
    expect(out[0]).toMatch(/^local 127\.0\.0\.1 dev lo/);
    expect(out).toHaveLength(3);
  });
});
