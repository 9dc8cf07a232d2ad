// The node agent's container runtime against real runc, real overlayfs and real cgroups: a
// busybox rootfs (built here from Debian's static busybox) as the single lower layer.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Container, Pod, PodSecurityContext } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpec, type ContainerSpecInput } from '../../src-main/agent/runtime/oci-spec.ts';
import { hostDevices } from '../../src-main/agent/runtime/host-devices.ts';
import { OciRuntime } from '../../src-main/agent/runtime/oci-runtime.ts';
import { isMounted, mountRootfs, removeRootfs } from '../../src-main/agent/runtime/rootfs.ts';
import { hostCapabilities } from '../../src-main/agent/runtime/host-capabilities.ts';
import { readUserDb } from '../../src-main/agent/runtime/user-db.ts';
import {
  cgroupLayout, containerCgroup, existingCgroupDirs, memoryStats, removeCgroupTree, removePodCgroup, wasOomKilled,
  type CgroupLayout,
} from '../../src-main/agent/runtime/cgroups.ts';

const suffix = `${process.pid}-${Date.now().toString(36)}`;
const agentName = `rt-test-${suffix}`;
const netnsName = `kl-rt-${suffix}`;
const applets = ['sh', 'echo', 'cat', 'sleep', 'id', 'ls', 'hostname', 'head', 'tr', 'tail', 'httpd', 'wget', 'seq', 'nc', 'grep', 'unshare', 'true'];

let base: string;
let lower: string;
let runtime: OciRuntime;
let layout: CgroupLayout;
let hostCaps: string[];
const created: { id: string; dir: string }[] = [];

async function buildBusyboxRootfs(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await mkdir(path.join(dir, 'etc'));
  await mkdir(path.join(dir, 'www'));
  await copyFile('/bin/busybox', path.join(dir, 'bin/busybox'));
  for (const a of applets) await symlink('busybox', path.join(dir, 'bin', a));
  await writeFile(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n');
  await writeFile(path.join(dir, 'etc/group'), 'root:x:0:\napp:x:1000:\nstaff:x:50:app\n');
  await writeFile(path.join(dir, 'www/index.html'), 'hello from the pod\n');
}

function pod(uid: string, securityContext?: PodSecurityContext): Pod {
  return { metadata: { name: `p-${uid}`, namespace: 'default', uid }, spec: { containers: [], ...(securityContext ? { securityContext } : {}) } };
}

interface Started { id: string; dir: string; cgroup: string; stdout: string }

/** Mounts an overlay, writes config.json and returns the bundle; the test then runs or creates it. */
async function prepare(
  id: string, podUid: string, container: Container,
  opts: { netns?: string; hostname?: string; podSecurityContext?: PodSecurityContext; spec?: Partial<ContainerSpecInput> } = {},
): Promise<Started> {
  const dir = path.join(base, 'containers', id);
  created.push({ id, dir });
  const { rootfs } = await mountRootfs(dir, [lower]);
  const cgroup = containerCgroup(layout, podUid, id);
  const spec = buildSpec({
    pod: pod(podUid, opts.podSecurityContext), container, image: { env: ['PATH=/bin'], cmd: ['sh'] }, env: [], userDb: await readUserDb(rootfs),
    rootfs, hostname: opts.hostname ?? id, namespacePaths: { network: opts.netns }, cgroupsPath: cgroup,
    resourceOptions: { pidsLimit: 256, limitSwap: true }, hostCapabilities: hostCaps, ...opts.spec,
  });
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(spec, null, 2));
  return { id, dir, cgroup, stdout: path.join(dir, 'stdout.log') };
}

async function runToExit(c: Started): Promise<{ code: number; out: string }> {
  const { exited } = await runtime.run(c.id, c.dir, { stdout: c.stdout, stderr: c.stdout });
  const code = await exited;
  return { code, out: await readFile(c.stdout, 'utf8') };
}

async function destroy(c: { id: string; dir: string }): Promise<void> {
  await runtime.delete(c.id, true).catch(() => undefined);
  await removeRootfs(c.dir);
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'kubelab-runtime-'));
  lower = path.join(base, 'lower');
  await buildBusyboxRootfs(lower);
  runtime = new OciRuntime({ name: 'runc', root: path.join(base, 'runc') });
  layout = await cgroupLayout(`/kubelab/${agentName}`);
  hostCaps = await hostCapabilities();
});

afterAll(async () => {
  for (const c of created) await destroy(c).catch(() => undefined);
  await removeCgroupTree(layout, layout.parent).catch(() => undefined);
  // The shared /kubelab parent goes too when no other agent uses it.
  for (const dir of await existingCgroupDirs(layout, '/kubelab')) await rmdir(dir).catch(() => undefined);
  try {
    execFileSync('ip', ['netns', 'del', netnsName], { stdio: 'ignore' });
  } catch { /* not created or already gone */ }
  const leftContainers = await runtime.list();
  await rm(base, { recursive: true, force: true });
  // Nothing may be left behind.
  expect(leftContainers).toEqual([]);
  expect(await existingCgroupDirs(layout, layout.parent)).toEqual([]);
  expect((await readFile('/proc/self/mounts', 'utf8')).includes(base)).toBe(false);
  expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(netnsName);
  expect(await stat(base).then(() => true, () => false)).toBe(false);
});

describe('agent runtime (real runc, overlayfs, cgroups)', () => {
  it('runs a container to completion: exit code and stdout', async () => {
    const c = await prepare('echo', 'pod-a', { name: 'echo', command: ['echo'], args: ['hello', 'world'] });
    expect(await isMounted(path.join(c.dir, 'rootfs'))).toBe(true);
    expect(await runToExit(c)).toEqual({ code: 0, out: 'hello world\n' });
    expect((await runtime.state('echo')).status).toBe('stopped');
    const failing = await prepare('fail', 'pod-a', { name: 'fail', command: ['sh', '-c', 'echo oops >&2; exit 3'] });
    expect(await runToExit(failing)).toEqual({ code: 3, out: 'oops\n' });
    await destroy(c);
    await destroy(failing);
    expect(await isMounted(path.join(c.dir, 'rootfs'))).toBe(false);
    // Cleanup is idempotent.
    await destroy(c);
  });

  it("fails with the runtime's own message", async () => {
    const missing = await prepare('missing', 'pod-a', { name: 'missing', command: ['no-such-binary'] });
    await expect(runtime.run('missing', missing.dir, { stdout: missing.stdout, stderr: missing.stdout }))
      .rejects.toThrow(/runc run missing: .*"no-such-binary": executable file not found/);
    await destroy(missing);
    const again = await prepare('missing2', 'pod-a', { name: 'missing2', command: ['no-such-binary'] });
    await expect(runtime.create('missing2', again.dir, { stdout: again.stdout, stderr: again.stdout }))
      .rejects.toThrow(/runc create missing2: .*executable file not found/);
    await destroy(again);
    await expect(runtime.kill('never-made', 'TERM')).rejects.toThrow(/runc kill never-made TERM: container does not exist/);
  });

  it('creates and starts a long-running container, which SIGTERM stops', async () => {
    // A pid 1 gets a signal from the host only for a handler it installed (or SIGKILL): a shell
    // that traps TERM, as a server that shuts down gracefully would.
    const c = await prepare('sleeper', 'pod-b', { name: 'sleeper', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 1000 & wait'] });
    await runtime.create('sleeper', c.dir, { stdout: c.stdout, stderr: c.stdout });
    expect((await runtime.state('sleeper')).status).toBe('created');
    await runtime.start('sleeper');
    const running = await runtime.state('sleeper');
    expect(running.status).toBe('running');
    expect(running.pid).toBeGreaterThan(1);
    expect((await readFile(`/proc/${running.pid}/cmdline`, 'utf8')).split('\0')[0]).toBe('sh');
    expect((await runtime.list()).map((s) => s.id)).toContain('sleeper');
    await runtime.kill('sleeper', 'TERM');
    await waitFor(async () => (await runtime.state('sleeper')).status === 'stopped');
    await runtime.delete('sleeper');
    expect((await runtime.list()).map((s) => s.id)).not.toContain('sleeper');
    await expect(runtime.state('sleeper')).rejects.toThrow(/does not exist/);
    await removeRootfs(c.dir);
  });

  it('gives the container its hostname, its own pid namespace, the asked uid, a read-only root', async () => {
    const who = await prepare('who', 'pod-c', {
      // $$ is Kubernetes' escape for $, so the shell sees $$ (its pid).
      name: 'who', command: ['sh', '-c', 'hostname; echo pid=$$$$; id -u; id -g; id -G'],
      securityContext: { runAsUser: 1000 },
    }, { hostname: 'my-pod' });
    expect(await runToExit(who)).toEqual({ code: 0, out: 'my-pod\npid=1\n1000\n1000\n1000 50\n' });
    const ro = await prepare('ro', 'pod-c', {
      name: 'ro', command: ['sh', '-c', 'echo x > /file && echo wrote'], securityContext: { readOnlyRootFilesystem: true },
    });
    const r = await runToExit(ro);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/Read-only file system/);
    const rw = await prepare('rw', 'pod-c', { name: 'rw', command: ['sh', '-c', 'echo x > /file && echo wrote'] });
    expect(await runToExit(rw)).toEqual({ code: 0, out: 'wrote\n' });
    // The write went to the container's upper dir, never to the shared lower layer.
    expect(await readFile(path.join(rw.dir, 'upper/file'), 'utf8')).toBe('x\n');
    expect(await stat(path.join(lower, 'file')).then(() => true, () => false)).toBe(false);
  });

  it('writes cpu quota and shares, the pids limit, and runs a privileged container with every capability', async () => {
    const c = await prepare('limited', 'pod-g', {
      name: 'limited', command: ['sh', '-c', 'grep CapEff /proc/self/status'],
      resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '32Mi' } },
    });
    await runtime.create('limited', c.dir, { stdout: c.stdout, stderr: c.stdout });
    const v1 = (ctrl: string, file: string) => readFile(path.join('/sys/fs/cgroup', ctrl, c.cgroup, file), 'utf8').then((t) => t.trim());
    if (layout.mode !== 'v2') {
      expect(await v1('cpu', 'cpu.cfs_quota_us')).toBe('50000');
      expect(await v1('cpu', 'cpu.cfs_period_us')).toBe('100000');
      expect(await v1('cpu', 'cpu.shares')).toBe('256');
      expect(await v1('pids', 'pids.max')).toBe('256');
      expect(await v1('memory', 'memory.memsw.limit_in_bytes')).toBe(String(32 * 1024 * 1024));
    }
    await runtime.start('limited');
    await waitFor(async () => (await runtime.state('limited')).status === 'stopped');
    // Docker's 14 default capabilities.
    expect(await readFile(c.stdout, 'utf8')).toMatch(/CapEff:\s+00000000a80425fb/);
    await destroy(c);
    const p = await prepare('priv', 'pod-g', { name: 'priv', command: ['sh', '-c', 'grep CapEff /proc/self/status'], securityContext: { privileged: true } });
    const r = await runToExit(p);
    expect(r.code).toBe(0);
    // Every capability this process holds (its bounding set), nothing it lacks.
    const own = /^CapBnd:\s*(\S+)$/m.exec(await readFile('/proc/self/status', 'utf8'))![1];
    expect(r.out).toMatch(new RegExp(`CapEff:\\s+${own}`));
    await destroy(p);
  });

  it('confines a container with RuntimeDefault: seccomp filter, no_new_privs, EPERM for what it blocks', async () => {
    // unshare(CLONE_NEWUSER) needs no capability, so only seccomp can refuse it to root.
    const script = 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; unshare -U true; echo rc=$?';
    const confined = await runToExit(await prepare('confined', 'pod-h', { name: 'confined', command: ['sh', '-c', script] }));
    expect(confined.out).toMatch(/^NoNewPrivs:\s+1\nSeccomp:\s+2\n/);
    expect(confined.out).toMatch(/unshare\(0x10000000\): Operation not permitted\nrc=1\n$/);
    // The pod's Unconfined lets the same call through with the same capabilities.
    const free = await runToExit(await prepare('unconfined', 'pod-h', { name: 'unconfined', command: ['sh', '-c', script] }, { podSecurityContext: { seccompProfile: { type: 'Unconfined' } } }));
    expect(free).toEqual({ code: 0, out: expect.stringMatching(/^NoNewPrivs:\s+1\nSeccomp:\s+0\nrc=0\n$/) });
    // A container that allows escalation keeps its filter but not no_new_privs.
    const escalating = await runToExit(await prepare('escalating', 'pod-h', {
      name: 'escalating', command: ['grep', '-E', '^(NoNewPrivs|Seccomp):', '/proc/self/status'], securityContext: { allowPrivilegeEscalation: true },
    }));
    expect(escalating.out).toMatch(/^NoNewPrivs:\s+0\nSeccomp:\s+2\n$/);
  });

  it("opens a privileged container: no seccomp, no no_new_privs, every capability, the node's devices", async () => {
    const devices = await hostDevices();
    // Devices of the node that an ordinary container never gets (runc gives it null, zero, tty...).
    const nodeOnly = devices.map((d) => d.path.slice('/dev/'.length)).filter((n) => !n.includes('/') && !['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx'].includes(n));
    expect(nodeOnly.length).toBeGreaterThan(0);
    const script = 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; ls /dev';
    const priv = await runToExit(await prepare('priv-dev', 'pod-i', { name: 'priv-dev', command: ['sh', '-c', script], securityContext: { privileged: true } }, { spec: { hostDevices: devices } }));
    const own = /^CapBnd:\s*(\S+)$/m.exec(await readFile('/proc/self/status', 'utf8'))![1];
    expect(priv.code).toBe(0);
    expect(priv.out).toMatch(new RegExp(`^CapEff:\\s+${own}\\nNoNewPrivs:\\s+0\\nSeccomp:\\s+0\\n`));
    const seen = priv.out.split('\n').slice(3);
    expect(seen).toEqual(expect.arrayContaining(nodeOnly));
    const plain = await runToExit(await prepare('plain-dev', 'pod-i', { name: 'plain-dev', command: ['ls', '/dev'] }));
    expect(plain.out.split('\n').filter((n) => nodeOnly.includes(n))).toEqual([]);
  });

  it('OOM-kills a process over its memory limit, and the cgroup tells', async () => {
    // tail buffers a "line" of /dev/zero, which never ends: it grows until the limit stops it.
    const c = await prepare('oom', 'pod-d', { name: 'oom', command: ['tail', '/dev/zero'], resources: { limits: { memory: '16Mi' } } });
    // 128 + SIGKILL: the OOM killer's signal.
    expect((await runToExit(c)).code).toBe(137);
    const mem = await memoryStats(layout, c.cgroup);
    expect(mem.limitBytes).toBe(16 * 1024 * 1024);
    expect(mem.oomKills).toBeGreaterThan(0);
    expect(await wasOomKilled(layout, c.cgroup)).toBe(true);
    // An ordinary container's cgroup shows no OOM kill.
    const calm = await prepare('calm', 'pod-d', { name: 'calm', command: ['echo', 'calm'], resources: { limits: { memory: '16Mi' } } });
    await runToExit(calm);
    expect(await wasOomKilled(layout, calm.cgroup)).toBe(false);
    await destroy(c);
    await destroy(calm);
    await removePodCgroup(layout, 'pod-d');
    expect(await existingCgroupDirs(layout, `/kubelab/${agentName}/podpod-d`)).toEqual([]);
  });

  it('lets two containers of one pod talk over localhost in a shared network namespace', async () => {
    execFileSync('ip', ['netns', 'add', netnsName]);
    execFileSync('ip', ['netns', 'exec', netnsName, 'ip', 'link', 'set', 'lo', 'up']);
    const netns = `/var/run/netns/${netnsName}`;
    const server = await prepare('web', 'pod-e', { name: 'web', command: ['httpd', '-f', '-p', '8080', '-h', '/www'] }, { netns });
    await runtime.create('web', server.dir, { stdout: server.stdout, stderr: server.stdout });
    await runtime.start('web');
    const client = await prepare('client', 'pod-e', {
      name: 'client',
      command: ['sh', '-c', 'for i in $(seq 1 100); do wget -q -O - http://127.0.0.1:8080/index.html && exit 0; sleep 0.1; done; exit 1'],
    }, { netns });
    expect(await runToExit(client)).toEqual({ code: 0, out: 'hello from the pod\n' });
    // A container outside the pod (its own new network namespace) cannot reach the server.
    const outsider = await prepare('outsider', 'pod-f', { name: 'outsider', command: ['wget', '-q', '-T', '2', '-O', '-', 'http://127.0.0.1:8080/index.html'] });
    expect((await runToExit(outsider)).code).not.toBe(0);
    await destroy(outsider);
    // httpd as pid 1 installs no TERM handler, so only KILL stops it from the host.
    await runtime.kill('web', 'KILL');
    await waitFor(async () => (await runtime.state('web')).status === 'stopped');
    await destroy(server);
    await destroy(client);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
