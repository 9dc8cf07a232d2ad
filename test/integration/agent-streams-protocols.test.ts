// The agent's exec and port-forward handlers against the real kubectl (1.20 and 1.28 speak SPDY,
// 1.35 WebSockets for exec and SPDY tunnelled in a WebSocket for port-forward) and
// @kubernetes/client-node (its own WebSocket protocols), on a real runc container in a network
// namespace of its own. A stub API in front (harness/stream-api-stub.ts) stands in for the API
// server's proxy, so that only the agent's side is under test here.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRuntime } from '../../src-main/agent/runtime/oci-runtime.ts';
import { execHandler } from '../../src-main/agent/streams/exec-handler.ts';
import { portForwardHandler } from '../../src-main/agent/streams/port-forward.ts';
import type { StreamLookup } from '../../src-main/agent/streams/stream-lookup.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl, KUBECTL_VERSIONS, type KubectlVersion } from './harness/kubectl.ts';
import { startStreamApiStub, type StreamApiStub } from './harness/stream-api-stub.ts';

const suffix = `${process.pid}`;
const netns = `kls-proto-${suffix}`;
const id = `kls-proto-${suffix}`;
const applets = ['sh', 'cat', 'echo', 'tty', 'test', 'sleep', 'nc', 'stty', 'read', 'printf'];
let dir: string;
let runtime: OciRuntime;
let stub: StreamApiStub;
const kubectls = new Map<KubectlVersion, Kubectl>();

function makeBundle(bundle: string): void {
  mkdirSync(join(bundle, 'rootfs/bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(bundle, 'rootfs/bin/busybox'));
  for (const a of applets) symlinkSync('busybox', join(bundle, 'rootfs/bin', a));
  execFileSync('runc', ['spec', '--bundle', bundle]);
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  spec.root.readonly = false;
  spec.process.terminal = false;
  spec.process.env = ['PATH=/bin'];
  // An echo server on 7000 for port-forward; nothing on 7001.
  spec.process.args = ['sh', '-c', 'nc -ll -p 7000 -e cat & exec sleep 100000'];
  spec.linux.namespaces = spec.linux.namespaces.map((n: { type: string }) => (n.type === 'network' ? { type: 'network', path: `/run/netns/${netns}` } : n));
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-streams-'));
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  const bundle = join(dir, 'bundle');
  makeBundle(bundle);
  runtime = new OciRuntime({ name: 'runc', root: join(dir, 'runc') });
  execFileSync('runc', ['--root', join(dir, 'runc'), 'run', '-d', '--bundle', bundle, id], { stdio: 'ignore' });
  const lookup: StreamLookup = {
    runningContainer: (ns, pod, c) => (ns === 'default' && pod === 'box' && c === 'main' ? id : undefined),
    podNetwork: (ns, pod) => (ns === 'default' && pod === 'box' ? { uid: 'stub-uid', netnsPath: `/run/netns/${netns}` } : undefined),
  };
  stub = await startStreamApiStub(dir, { namespace: 'default', name: 'box', containers: ['main'] }, {
    exec: execHandler(runtime, lookup), attach: (_r, s) => void s.destroy(), portforward: portForwardHandler(lookup),
  });
  for (const v of KUBECTL_VERSIONS) kubectls.set(v, new Kubectl(v, stub.kubeconfigPath));
  await waitFor('the echo server listens', () => {
    try {
      return execFileSync('ip', ['netns', 'exec', netns, 'cat', '/proc/net/tcp', '/proc/net/tcp6'], { encoding: 'utf8' }).includes(':1B58 ');
    } catch {
      return false;
    }
  });
});

afterAll(async () => {
  for (const k of kubectls.values()) await k.cleanup();
  await stub?.close();
  await runtime?.delete(id, true).catch(() => undefined);
  execFileSync('ip', ['netns', 'delete', netns], { stdio: 'ignore' });
  const left = runtime ? await runtime.list() : [];
  rmSync(dir, { recursive: true, force: true });
  expect(left).toEqual([]);
});

/** kubectl with a terminal of 33x111 on its stdin (script(1)), so that -t gets a tty. */
function inTerminal(k: Kubectl, args: string[], input: string): Promise<{ code: number; out: string }> {
  const line = ['stty rows 33 cols 111;', k.bin, '--kubeconfig', k.kubeconfig, ...args.map((a) => `'${a}'`)].join(' ');
  const child = spawn('script', ['-q', '-e', '-c', line, '/dev/null'], { env: { PATH: process.env.PATH, HOME: k.home, LANG: 'C' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  // Typed once the remote shell runs, as a person would.
  setTimeout(() => child.stdin.write(input), 1500);
  return new Promise((r) => child.on('close', (code) => r({ code: code ?? -1, out })));
}

function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => r(port));
    });
  });
}

/** Sends `text` on a new connection and reads until `expect` arrived (or the peer closed). */
function exchange(port: number, text: string, until: (got: string) => boolean): Promise<{ got: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('connect', () => socket.write(text));
    socket.on('data', (d) => {
      got += d.toString();
      if (until(got)) resolve({ got, socket });
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ got, socket }));
  });
}

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const k = () => kubectls.get(version)!;

  it('execs a command with its stdout, stderr and exit code', async () => {
    const r = await k().run(['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2']);
    expect(r).toMatchObject({ code: 0, stdout: 'out\n' });
    expect(r.stderr).toContain('err\n');
    const failed = await k().run(['exec', 'box', '--', 'sh', '-c', 'echo before; exit 3']);
    expect(failed).toMatchObject({ code: 3, stdout: 'before\n' });
    expect(failed.stderr).toContain('command terminated with exit code 3');
    const missing = await k().run(['exec', 'box', '--', 'no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('executable file not found');
  });

  it('execs with stdin piped (-i)', async () => {
    const r = await k().run(['exec', '-i', 'box', '--', 'sh', '-c', 'cat; echo done'], { input: 'line one\nline two\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'line one\nline two\ndone\n' });
  });

  it('execs with a terminal (-it): a tty inside, of the client\'s size', async () => {
    const r = await inTerminal(k(), ['exec', '-it', 'box', '--', 'sh', '-c', 'tty; test -t 0 && echo isatty; read x; stty size; echo "got $x"; exit 4'], 'typed\r');
    expect(r.out).toMatch(/\/dev\/pts\/\d+/);
    expect(r.out).toContain('isatty');
    expect(r.out).toContain('33 111');
    expect(r.out).toContain('got typed');
    expect(r.code).toBe(4);
  });

  it('forwards a local port to the pod, both ways, two connections at once, and reports a refused port', async () => {
    const [local, refusedLocal] = [await freePort(), await freePort()];
    const pf = k().start(['port-forward', 'pod/box', `${local}:7000`, `${refusedLocal}:7001`]);
    await pf.waitFor(new RegExp(`Forwarding from 127\\.0\\.0\\.1:${refusedLocal}`));
    const [a, b] = await Promise.all([
      exchange(local, 'first\n', (g) => g.includes('first\n')),
      exchange(local, 'second\n', (g) => g.includes('second\n')),
    ]);
    expect([a.got, b.got]).toEqual(['first\n', 'second\n']);
    const more = await new Promise<string>((r) => {
      a.socket.once('data', (d) => r(d.toString()));
      a.socket.write('again\n');
    });
    expect(more).toBe('again\n');
    a.socket.destroy();
    b.socket.destroy();
    const refused = await exchange(refusedLocal, 'x', () => false);
    expect(refused.got).toBe('');
    await waitFor('the refused port in kubectl\'s log', () => pf.child.stderr && /error forwarding port 7001 to pod/.test(pf.stderr()), 10_000);
    await pf.kill();
  });
});

describe('@kubernetes/client-node', () => {
  const config = () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(stub.kubeconfigPath);
    return kc;
  };

  it('Exec: output, stdin and the exit status', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const status = await new Promise<k8s.V1Status>((resolve) => {
      void new k8s.Exec(config()).exec('default', 'box', 'main', ['sh', '-c', 'read x; echo "got $x"; exit 5'], stdout, stderr, stdin, false, (s) => resolve(s));
      stdin.write('hello\n');
    });
    expect(out).toBe('got hello\n');
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '5' }] } });
  });

  it('PortForward: one connection to the echo server', async () => {
    const output = new PassThrough();
    const input = new PassThrough();
    let got = '';
    output.on('data', (d: Buffer) => { got += d.toString(); });
    const ws = await new k8s.PortForward(config()).portForward('default', 'box', [7000], output, null, input);
    input.write('through the websocket\n');
    await waitFor('the echo', () => got === 'through the websocket\n', 10_000);
    (ws as { close(): void }).close();
  });
});
