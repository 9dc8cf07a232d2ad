// Provisioning as a user does it, against real sshd test hosts: `kubelab lab up` joins two hosts
// over SSH (root, the lab's key) to a control plane it starts on the lab's bridge; a pod runs on
// one from an image loaded over SSH; adding a joined node again changes nothing; an upgrade
// restarts the agent and no container; a non-root user joins with a sudo password, a wrong
// password is one clear line, a changed host key is refused; a host without runc fails preflight
// and nothing is written; removal leaves nothing behind; `lab down` leaves nothing at all.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { answers, controlPlaneFor, labLeftovers, stopLabControlPlane } from '../../src-main/provision/cli/lab-commands.ts';
import { clusterAccess } from '../../src-main/provision/cli/node-commands.ts';
import { NodeRegistry } from '../../src-main/provision/cli/node-registry.ts';
import { isClean } from '../../src-main/provision/lab/test-hosts.ts';
import { NODE_PATHS } from '../../src-main/provision/install/node-layout.ts';
import { apiProbeScript } from '../../src-main/provision/preflight/checks.ts';
import { joinNode } from '../../src-main/provision/join/join-node.ts';
import { upgradeNodes } from '../../src-main/provision/join/upgrade-node.ts';
import { connectSsh } from '../../src-main/provision/ssh/connect.ts';
import { KnownHosts } from '../../src-main/provision/ssh/known-hosts.ts';
import { buildBusyboxImage } from '../fixtures/images/busybox-image.ts';
import { dockerSave } from '../fixtures/images/image-archives.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl, REPO_ROOT } from './harness/kubectl.ts';
import { createUnixUser, type UnixUser } from './harness/unix-users.ts';

const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-provision-'));
const hostDir = (name: string) => join(dataDir, 'lab', name, 'root');
/** The hosts' addresses, as lab up printed them. */
let addresses: string[] = [];
let kubectl: Kubectl;
let user: UnixUser | undefined;

/** The real CLI; resolves with its exit code and output. */
function kubelab(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** A root shell command on a test host, over the lab's own SSH. */
async function onHost(address: string, command: string): Promise<string> {
  const session = await connectSsh({ host: address, user: 'root', auth: { kind: 'key', path: join(dataDir, 'lab', 'id_ed25519') } }, { knownHosts: KnownHosts.inDataDir(dataDir) });
  try {
    return (await session.run(command)).stdout;
  } finally {
    await session.close();
  }
}

const serverURL = () => (JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { url: string }).url;
const serveLog = () => readFileSync(join(dataDir, 'lab', 'serve.log'), 'utf8');
const ready = (n: Node | undefined) => n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

beforeAll(async () => {
  const up = await kubelab(['lab', 'up', '--nodes', '2', '--port', '0']);
  expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
  addresses = [...up.stdout.matchAll(/^kl-node-\d \((198\.18\.\d+\.\d+)\): joined$/gm)].map((m) => m[1]!);
  expect(addresses, up.stdout).toHaveLength(2);
  writeKubeconfig();
  kubectl = new Kubectl('1.35', join(dataDir, 'admin.kubeconfig'));
}, 120_000);

function writeKubeconfig(): void {
  execFileSync('sh', ['-c', `${process.execPath} ${CLI} kubeconfig --data-dir ${dataDir} > ${join(dataDir, 'admin.kubeconfig')}`]);
}

afterAll(async () => {
  user?.remove();
  const down = await kubelab(['lab', 'down']);
  const left = await labLeftovers(dataDir);
  await kubectl?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
  expect(down.code, down.stderr).toBe(0);
  expect(down.stdout).toContain('lab down: nothing left');
  expect(isClean(left), JSON.stringify(left)).toBe(true);
  // The lab's control plane is gone, and so are the blackhole routes it added.
  expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(`serve --data-dir ${dataDir}`);
}, 180_000);

describe('kubelab node add over SSH', () => {
  it('joined both test hosts: Ready, with their own identity, and a pod runs there from an image loaded over SSH', async () => {
    const access = clusterAccess(dataDir);
    try {
      const nodes = (await access.client.list<Node>(gvr.nodes)).items;
      expect(nodes.map((n) => n.metadata!.name).sort()).toEqual(['kl-node-0', 'kl-node-1']);
      for (const n of nodes) expect(ready(n)).toBe(true);
      const ids = nodes.map((n) => n.status!.nodeInfo!.machineID);
      expect(new Set(ids).size).toBe(2);
      expect(ids).not.toContain(readFileSync('/etc/machine-id', 'utf8').trim());
      expect(nodes.find((n) => n.metadata!.name === 'kl-node-0')!.status!.addresses).toContainEqual({ type: 'InternalIP', address: addresses[0] });
    } finally {
      access.client.close();
    }
    // The join token is gone from the host and from the cluster; the node's own credential stays.
    expect(await onHost(addresses[0]!, `ls ${NODE_PATHS.configDir}; ls ${NODE_PATHS.stateDir}`)).not.toContain('join-token');
    expect(await kubectl.ok(['get', 'secrets', '-n', 'kube-system', '-o', 'name'])).not.toContain('bootstrap-token-');

    const archive = join(dataDir, 'busybox.tar');
    execFileSync('sh', ['-c', `cat > ${archive}`], { input: dockerSave(buildBusyboxImage(), 'lab/busybox:1') });
    const load = await kubelab(['image', 'load', archive, '--node', 'kl-node-0']);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toBe('kl-node-0: imported\n');
    await kubectl.ok(['run', 'hello', '--image=lab/busybox:1', '--image-pull-policy=Never', '--restart=Never', '--overrides',
      JSON.stringify({ spec: { nodeName: 'kl-node-0', terminationGracePeriodSeconds: 1 } }), '--', 'sh', '-c', 'echo hi from $(hostname); exec sleep 1000']);
    await waitFor('hello Running', async () => (await kubectl.ok(['get', 'pod', 'hello', '-o', 'jsonpath={.status.phase}'])) === 'Running', 60_000);
    expect(await kubectl.ok(['logs', 'hello'])).toBe('hi from hello\n');
    expect(await kubectl.ok(['exec', 'hello', '--', 'sh', '-c', 'echo exec ok'])).toBe('exec ok\n');
  });

  it('lists the nodes added from here, and reaches one through another as a jump host', async () => {
    const list = await kubelab(['node', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+SSH\s+SERVER$/);
    expect(list.stdout).toMatch(new RegExp(`^kl-node-0\\s+Ready\\s+root@${addresses[0]!.replace(/\./g, '\\.')}\\s+https://`, 'm'));
    const viaJump = await kubelab(['node', 'add', `root@${addresses[1]}`, '--key', join(dataDir, 'lab', 'id_ed25519'), '--jump', `root@${addresses[0]}`]);
    expect(viaJump.code, viaJump.stderr).toBe(0);
    expect(viaJump.stdout).toContain('node kl-node-1: already joined: nothing to do');
  });

  it('says "already joined" when the node is added again, and changes nothing', async () => {
    const before = await onHost(addresses[0]!, 'pgrep -f kubelab-agent.js');
    const again = await kubelab(['node', 'add', `root@${addresses[0]}`, '--key', join(dataDir, 'lab', 'id_ed25519')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('node kl-node-0: already joined: nothing to do');
    expect(again.stdout).toContain("✓ ports       10250: this node's agent");
    expect(await onHost(addresses[0]!, 'pgrep -f kubelab-agent.js')).toBe(before);
  });

  it('upgrades one node at a time: a new agent process, the same containers', async () => {
    const podBefore = JSON.parse(await kubectl.ok(['get', 'pod', 'hello', '-o', 'json'])) as Pod;
    const agentBefore = (await onHost(addresses[0]!, 'pgrep -f kubelab-agent.js')).trim();
    const bundle = Buffer.concat([readFileSync(join(REPO_ROOT, 'out/agent/kubelab-agent.js')), Buffer.from('\n// a newer build\n')]);
    const access = clusterAccess(dataDir);
    const registry = new NodeRegistry(dataDir);
    const sessions = await Promise.all(['kl-node-0', 'kl-node-1'].map(async (name) => ({
      nodeName: name,
      host: await connectSsh({ host: registry.get(name)!.address.split('@')[1]!, user: 'root', auth: { kind: 'key', path: registry.get(name)!.keyPath! } }, { knownHosts: KnownHosts.inDataDir(dataDir) }),
    })));
    const order: string[] = [];
    try {
      const result = await upgradeNodes({ client: access.client, bundle, targets: sessions, report: (e) => e.status === 'done' && order.push(`${e.host} ${e.step}`) });
      expect(result).toEqual({ upgraded: ['kl-node-0', 'kl-node-1'], current: [] });
      // The second node is touched only once the first is back.
      expect(order.indexOf(`root@${addresses[1]} stage`)).toBeGreaterThan(order.indexOf(`root@${addresses[0]} ready`));
      expect(await upgradeNodes({ client: access.client, bundle, targets: sessions })).toEqual({ upgraded: [], current: ['kl-node-0', 'kl-node-1'] });
    } finally {
      for (const s of sessions) await s.host.close();
      access.client.close();
    }
    expect((await onHost(addresses[0]!, `tail -c 20 ${NODE_PATHS.bundle}`))).toContain('a newer build');
    expect((await onHost(addresses[0]!, 'pgrep -f kubelab-agent.js')).trim()).not.toBe(agentBefore);
    const podAfter = JSON.parse(await kubectl.ok(['get', 'pod', 'hello', '-o', 'json'])) as Pod;
    expect(podAfter.status!.phase).toBe('Running');
    expect(podAfter.status!.containerStatuses![0]).toMatchObject({
      restartCount: 0, containerID: podBefore.status!.containerStatuses![0]!.containerID,
      state: { running: { startedAt: podBefore.status!.containerStatuses![0]!.state!.running!.startedAt } },
    });
  }, 120_000);

  it('tells the nodes where the API moved when the control plane comes back at another address', async () => {
    const oldURL = serverURL();
    const podBefore = JSON.parse(await kubectl.ok(['get', 'pod', 'hello', '-o', 'json'])) as Pod;
    stopLabControlPlane(dataDir);
    await waitFor(`the old control plane gone\n${serveLog()}`, async () => !(await answers(oldURL)), 60_000, 200);
    // Back on another port, as after the laptop slept and came back elsewhere.
    const newURL = await controlPlaneFor(dataDir, new URL(oldURL).hostname, 0);
    expect(newURL).not.toBe(oldURL);
    writeKubeconfig();
    await kubectl.cleanup();
    kubectl = new Kubectl('1.35', join(dataDir, 'admin.kubeconfig'));
    for (const name of ['kl-node-0', 'kl-node-1']) {
      await waitFor(`${name} told\n${serveLog()}`, () => serveLog().includes(`nodes: told ${name} the API is now at ${newURL}`), 60_000, 200);
      expect(new NodeRegistry(dataDir).get(name)!.server).toBe(newURL);
    }
    expect(await onHost(addresses[0]!, `cat ${NODE_PATHS.libDir}/supervise.sh`)).toContain(`'--server' '${newURL}'`);
    const lease = async () => (await kubectl.ok(['get', 'lease', '-n', 'kube-node-lease', 'kl-node-0', '-o', 'jsonpath={.spec.renewTime}'])).trim();
    const renewed = await lease();
    await waitFor('kl-node-0 renews with the new address', async () => (await lease()) > renewed, 30_000, 500);
    const podAfter = JSON.parse(await kubectl.ok(['get', 'pod', 'hello', '-o', 'json'])) as Pod;
    expect(podAfter.status!.containerStatuses![0]!.containerID).toBe(podBefore.status!.containerStatuses![0]!.containerID);
  }, 120_000);

  it('logs in as a non-root user with a password and installs through sudo with it; a wrong password is one line', async () => {
    user = createUnixUser(`kl${process.pid}p`, 'password');
    const wrong = await kubelab(['node', 'add', `${user.name}@${addresses[1]}`, '--password-stdin'], 'not-the-password\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toBe(`kubelab: ${addresses[1]}: authentication failed for ${user.name} (tried: password)`);
    expect(wrong.stderr).not.toContain('not-the-password');
    const right = await kubelab(['node', 'add', `${user.name}@${addresses[1]}`, '--password-stdin'], `${user.password}\n`);
    expect(right.code, right.stderr).toBe(0);
    // The upgrade above left kl-node-1 on another build: the checkout's is installed again, as root through sudo.
    expect(right.stdout).toContain('node kl-node-1: repaired and joined');
    expect(await onHost(addresses[1]!, `tail -c 20 ${NODE_PATHS.bundle}`)).not.toContain('a newer build');
    expect(await onHost(addresses[1]!, `stat -c %U ${NODE_PATHS.bundle}`)).toBe('root\n');
    expect(`${right.stdout}${right.stderr}`).not.toContain(user.password);
  });

  it('refuses a host whose key changed since it was pinned', async () => {
    const known = KnownHosts.inDataDir(dataDir);
    const pinned = known.lookup(addresses[1]!)!;
    known.pin(addresses[1]!, 22, { ...pinned, key: Buffer.from('not the key').toString('base64'), fingerprint: 'SHA256:bm90IHRoZSBrZXk' });
    try {
      const r = await kubelab(['node', 'add', `root@${addresses[1]}`, '--key', join(dataDir, 'lab', 'id_ed25519'), '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^kubelab: .*${addresses[1]!.replace(/\./g, '\\.')}.*host key.*changed`, 'im'));
      expect(r.stderr).toContain(pinned.fingerprint);
    } finally {
      known.pin(addresses[1]!, 22, pinned);
    }
  });

  it('removes a node and leaves nothing of the agent on it: processes, mounts, netns, cgroups, files', async () => {
    const uid = (await kubectl.ok(['get', 'pod', 'hello', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const removed = await kubelab(['node', 'remove', 'kl-node-0']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe('node kl-node-0 removed; nothing left on the machine\n');
    expect(await kubectl.ok(['get', 'nodes', '-o', 'name'])).toBe('node/kl-node-1\n');
    // Test hosts share the machine's processes: none is node-0's agent or its pod's container.
    const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(processes).not.toContain('--node-name kl-node-0');
    expect(processes).not.toContain(uid);
    // The host's own private folder stays a mount point; nothing of the agent's is mounted below it.
    expect(await onHost(addresses[0]!, "grep -c ' /var/lib/kubelab-agent/' /proc/self/mounts || true")).toBe('0\n');
    for (const p of ['/etc/kubelab', '/var/lib/kubelab-agent', '/usr/local/lib/kubelab', '/var/log/kubelab']) {
      expect(readdirSync(join(hostDir('kl-node-0'), p)), p).toEqual([]);
    }
    // Its pod's network namespace (other tests' pods may have theirs meanwhile: the check is this one's).
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`kubelab-${uid}`);
    const cgroups = execFileSync('sh', ['-c', 'ls -d /sys/fs/cgroup/*/kubelab/kl-node-0 2>/dev/null || true'], { encoding: 'utf8' });
    expect(cgroups).toBe('');
  }, 120_000);

  it('moves a node to a reverse SSH tunnel when it cannot reach this computer, and keeps it open', async () => {
    const api = new URL(serverURL());
    const leaseRenewed = async () => (await kubectl.ok(['get', 'lease', '-n', 'kube-node-lease', 'kl-node-1', '-o', 'jsonpath={.spec.renewTime}'])).trim();
    // kl-node-1 loses its way to the API (as behind a NAT that only lets SSH in).
    const block = `iptables -I OUTPUT -d ${api.hostname} -p tcp --dport ${api.port} -j REJECT`;
    await onHost(addresses[1]!, block);
    try {
      expect(await onHost(addresses[1]!, `${apiProbeScript(api.origin)} || true`)).toBe('ECONNREFUSED\n');
      // Adding it again with --tunnel updates its API address over SSH: a repair, through the tunnel.
      const moved = await kubelab(['node', 'add', `root@${addresses[1]}`, '--key', join(dataDir, 'lab', 'id_ed25519'), '--tunnel']);
      expect(moved.code, moved.stderr).toBe(0);
      expect(moved.stdout).toContain('node kl-node-1: repaired and joined');
      expect(moved.stdout).toContain('✓ api         https://127.0.0.1:16443 answers (HTTP 200)');
      expect(moved.stderr).toContain('kl-node-1 reaches the API through an SSH tunnel from this computer, which the control plane (kubelab serve, the app) keeps open while it runs');
      expect(await onHost(addresses[1]!, `cat ${NODE_PATHS.libDir}/supervise.sh`)).toContain("'--server' 'https://127.0.0.1:16443'");
      // The CLI's tunnel went with it; the running control plane picks the node up and holds one.
      await waitFor('the tunnel from the control plane', () => serveLog().includes(`tunnel: kl-node-1 reaches ${api.hostname}:${api.port} through its 127.0.0.1:16443`), 30_000, 200);
      const before = await leaseRenewed();
      await waitFor('a Lease renewed through the tunnel', async () => (await leaseRenewed()) > before, 30_000, 500);
    } finally {
      await onHost(addresses[1]!, block.replace('-I OUTPUT', '-D OUTPUT'));
    }
  }, 120_000);

  it('takes back what a failed join wrote, on the machine and in the cluster', async () => {
    // A deadline no agent meets: the join fails at "ready", after everything was installed.
    const access = clusterAccess(dataDir);
    const host = await connectSsh({ host: addresses[0]!, user: 'root', auth: { kind: 'key', path: join(dataDir, 'lab', 'id_ed25519') } }, { knownHosts: KnownHosts.inDataDir(dataDir) });
    try {
      const bundle = readFileSync(join(REPO_ROOT, 'out/agent/kubelab-agent.js'));
      await expect(joinNode({ host, client: access.client, serverURL: serverURL(), bundle, tokens: access.tokens, readyTimeoutMs: 1 }))
        .rejects.toThrow(new RegExp(`^node kl-node-0 was not Ready after 0 s.*; root@${addresses[0]!.replace(/\./g, '\\.')} was left as it was$`));
      expect((await access.client.list<Node>(gvr.nodes)).items.map((n) => n.metadata!.name)).toEqual(['kl-node-1']);
      expect(await kubectl.ok(['get', 'secrets', '-n', 'kube-system', '-o', 'name'])).not.toContain('bootstrap-token-');
    } finally {
      await host.close();
      access.client.close();
    }
    for (const p of ['/etc/kubelab', '/var/lib/kubelab-agent', '/usr/local/lib/kubelab', '/var/log/kubelab']) expect(readdirSync(join(hostDir('kl-node-0'), p)), p).toEqual([]);
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain('--node-name kl-node-0');
  }, 60_000);

  it('fails preflight on a host without runc, says how to fix it, and writes nothing', async () => {
    // Hide runc on the (now empty) host, in its own mount namespace only.
    await onHost(addresses[0]!, 'mount --bind /dev/null /usr/sbin/runc');
    try {
      const r = await kubelab(['node', 'add', `root@${addresses[0]}`, '--key', join(dataDir, 'lab', 'id_ed25519')]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('✗ runtime     runc not found on the PATH\n              → install runc (or pass --install-deps)');
      expect(r.stderr.trim().split('\n').at(-1)).toBe(`kubelab: root@${addresses[0]}: preflight failed (runtime); nothing was changed`);
      for (const p of ['/etc/kubelab', '/var/lib/kubelab-agent', '/usr/local/lib/kubelab']) expect(readdirSync(join(hostDir('kl-node-0'), p)), p).toEqual([]);
      // With consent, the node's own package manager is asked for the package (apt: runc is
      // installed, only hidden here, so it stays missing) and the checks run again.
      const deps = await kubelab(['node', 'add', `root@${addresses[0]}`, '--key', join(dataDir, 'lab', 'id_ed25519'), '--install-deps']);
      expect(deps.code).toBe(1);
      expect(deps.stderr).toMatch(new RegExp(`^✓ root@${addresses[0]!.replace(/\./g, '\\.')}: packages: runc \\(`, 'm'));
      expect(deps.stderr.trim().split('\n').at(-1)).toBe(`kubelab: root@${addresses[0]}: preflight failed (runtime); nothing was changed`);
      const dry = await kubelab(['node', 'add', `root@${addresses[1]}`, '--key', join(dataDir, 'lab', 'id_ed25519'), '--dry-run']);
      expect(dry.stdout).toContain('node kl-node-1: dry run: preflight passed, nothing was changed');
    } finally {
      await onHost(addresses[0]!, 'umount /usr/sbin/runc');
    }
  });
});
