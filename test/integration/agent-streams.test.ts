// kubectl exec and port-forward end to end: the real kubectl (1.20 and 1.28 over SPDY, 1.35 over
// WebSockets, port-forward SPDY tunnelled in a WebSocket) and @kubernetes/client-node, through
// the API server's proxy to the agent's endpoint, into a pod the kubelet runs with runc.
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { WebSocket } from 'ws';
import type { Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl, KUBECTL_VERSIONS, type KubectlVersion } from './harness/kubectl.ts';
import { exchange, freePort, inTerminal } from './harness/stream-clients.ts';

let node: TestNode;
const kubectls = new Map<KubectlVersion, Kubectl>();

// An HTTP server on 127.0.0.1:8080 only and an echo server on 7000; nothing on 7001.
const script = 'mkdir -p /www; echo hello from the pod > /www/index.html; httpd -f -p 127.0.0.1:8080 -h /www & nc -ll -p 7000 -e cat & trap "exit 0" TERM; while true; do sleep 1; done';

beforeAll(async () => {
  node = await startTestNode('kst');
  for (const v of KUBECTL_VERSIONS) kubectls.set(v, new Kubectl(v, node.cluster.kubeconfigPath));
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'box' }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: node.image, command: ['sh', '-c', script] }] } };
  await kubectls.get('1.35')!.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  await waitFor('box Running', async () => (await node.cluster.client.get<Pod>(gvr.pods, 'default', 'box')).status?.phase === 'Running', 60_000);
  await waitFor('the servers listen', async () => {
    const r = await kubectls.get('1.35')!.run(['exec', 'box', '--', 'cat', '/proc/net/tcp', '/proc/net/tcp6']);
    return r.stdout.includes(':1F90 ') && r.stdout.includes(':1B58 ');
  }, 20_000, 300);
});

afterAll(async () => {
  for (const k of kubectls.values()) await k.cleanup();
  const left = await node?.stop();
  expect(left).toEqual({ containers: [], mounts: [], netns: [], cgroups: [] });
});

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const k = () => kubectls.get(version)!;

  it('execs a command with its stdout, stderr and exit code, and 127 for a command not found', async () => {
    const r = await k().run(['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2']);
    expect(r).toMatchObject({ code: 0, stdout: 'out\n' });
    expect(r.stderr).toContain('err\n');
    const failed = await k().run(['exec', 'box', '-c', 'main', '--', 'sh', '-c', 'echo before; exit 3']);
    expect(failed).toMatchObject({ code: 3, stdout: 'before\n' });
    expect(failed.stderr).toContain('command terminated with exit code 3');
    const missing = await k().run(['exec', 'box', '--', 'no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('"no-such-command": executable file not found in $PATH');
  });

  it('execs with stdin piped (-i)', async () => {
    const r = await k().run(['exec', '-i', 'box', '--', 'sh', '-c', 'cat; echo done'], { input: 'line one\nline two\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'line one\nline two\ndone\n' });
  });

  it('moves megabytes both ways', async () => {
    const out = await k().run(['exec', 'box', '--', 'dd', 'if=/dev/zero', 'bs=65536', 'count=64']);
    expect(out.code).toBe(0);
    expect(out.stdout.length).toBe(64 * 65536);
    const input = await k().run(['exec', '-i', 'box', '--', 'sh', '-c', 'cat > /tmp/in; stat -c %s /tmp/in; rm /tmp/in'], { input: 'x'.repeat(3 << 20) });
    expect(input).toMatchObject({ code: 0, stdout: `${3 << 20}\n` });
  });

  it('execs with a terminal (-it): a tty inside, of the client\'s size and resized with it, with the exit code', async () => {
    const r = await inTerminal(k(), ['exec', '-it', 'box', '--', 'sh', '-c', 'busybox tty; test -t 0 && echo isatty; sleep 0.5; busybox stty size; read x; busybox stty size; echo "got $x"; exit 4'], 'typed\r', { after: /33 111\r\n/, resize: { rows: 40, cols: 90 } });
    expect(r.out).toMatch(/\/dev\/pts\/\d+/);
    expect(r.out).toContain('isatty');
    expect(r.out).toMatch(/33 111\r\n[^]*40 90\r\n/);
    expect(r.out).toContain('got typed');
    expect(r.code).toBe(4);
    const missing = await inTerminal(k(), ['exec', '-it', 'box', '--', 'no-such-command'], '');
    expect(missing.out).toContain('"no-such-command": executable file not found in $PATH');
    expect(missing.code).toBe(127);
  });

  it('attaches to a container: its live output, and its stdin (stdinOnce: the end of ours ends it)', async () => {
    const name = `att-${version.replace('.', '-')}`;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 2, containers: [{
      name: 'main', image: node.image, stdin: true, stdinOnce: true,
      command: ['sh', '-c', 'i=0; while [ ! -e /tmp/go ]; do i=$((i+1)); echo "tick $i"; sleep 0.3; done; while read line; do echo "got $line"; done; echo bye'],
    }] } };
    await k().ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await waitFor(`${name} Running`, async () => (await node.cluster.client.get<Pod>(gvr.pods, 'default', name)).status?.phase === 'Running', 60_000);
    const watching = k().start(['attach', name]);
    await watching.waitFor(/tick \d+\n/);
    await watching.kill();
    await k().ok(['exec', name, '--', 'touch', '/tmp/go']);
    const r = await k().run(['attach', '-i', name], { input: 'hello\nworld\n' });
    expect(r.stdout).toContain('got hello\ngot world\nbye\n');
    expect(r.code).toBe(0);
    await waitFor(`${name} Succeeded`, async () => (await node.cluster.client.get<Pod>(gvr.pods, 'default', name)).status?.phase === 'Succeeded', 30_000);
    await k().ok(['delete', 'pod', name, '--wait=true']);
  });

  it('attaches with a terminal (-it) to a container with tty and stdin: a tty inside, of the client\'s size', async () => {
    const name = `tty-${version.replace('.', '-')}`;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 2, containers: [{
      name: 'main', image: node.image, stdin: true, tty: true, command: ['sh'],
    }] } };
    await k().ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await waitFor(`${name} Running`, async () => (await node.cluster.client.get<Pod>(gvr.pods, 'default', name)).status?.phase === 'Running', 60_000);
    const r = await inTerminal(k(), ['attach', '-it', name], 'busybox tty; busybox stty size; exit 5\r');
    expect(r.out).toMatch(/\/dev\/pts\/\d+/);
    expect(r.out).toMatch(/33 111\r\n/);
    const ended = await waitFor(`${name} Failed`, async () => {
      const p = await node.cluster.client.get<Pod>(gvr.pods, 'default', name);
      return p.status?.phase === 'Failed' && p;
    }, 30_000);
    expect(ended.status!.containerStatuses![0].state!.terminated!.exitCode).toBe(5);
    await k().ok(['delete', 'pod', name, '--wait=true']);
  });

  it('forwards local ports to 127.0.0.1 in the pod: HTTP, two echo connections at once, and a refused port', async () => {
    const [http, echo, refused] = [await freePort(), await freePort(), await freePort()];
    const pf = k().start(['port-forward', 'pod/box', `${http}:8080`, `${echo}:7000`, `${refused}:7001`]);
    await pf.waitFor(new RegExp(`Forwarding from 127\\.0\\.0\\.1:${refused}`));
    const page = await exchange(http, 'GET /index.html HTTP/1.0\r\n\r\n', () => false);
    expect(page.got).toMatch(/^HTTP\/1\.[01] 200 OK/);
    expect(page.got).toContain('hello from the pod\n');
    const [a, b] = await Promise.all([
      exchange(echo, 'first\n', (g) => g.includes('first\n')),
      exchange(echo, 'second\n', (g) => g.includes('second\n')),
    ]);
    expect([a.got, b.got]).toEqual(['first\n', 'second\n']);
    const more = await new Promise<string>((r) => {
      a.socket.once('data', (d) => r(d.toString()));
      a.socket.write('again\n');
    });
    expect(more).toBe('again\n');
    a.socket.destroy();
    b.socket.destroy();
    expect((await exchange(refused, 'x', () => false)).got).toBe('');
    await waitFor('the refused port in kubectl\'s log', () => /error forwarding port 7001 to pod .*connection refused/.test(pf.stderr()), 10_000);
    await pf.kill();
  });
});

describe('exec sessions', () => {
  it('speak the base64 channel protocol to a client that asks for it', async () => {
    const { url, caPem, adminToken } = node.cluster.cp;
    const ws = new WebSocket(`${url.replace('https', 'wss')}/api/v1/namespaces/default/pods/box/exec?command=sh&command=-c&command=echo%20hi%3B%20exit%202&stdout=true&stderr=true`,
      ['v4.base64.channel.k8s.io'], { ca: caPem, headers: { Authorization: `Bearer ${adminToken}` } });
    const messages: string[] = [];
    ws.on('message', (d: Buffer) => messages.push(d.toString()));
    await new Promise((r) => ws.on('close', r));
    expect(ws.protocol).toBe('v4.base64.channel.k8s.io');
    expect(messages[0]).toBe(`1${Buffer.from('hi\n').toString('base64')}`);
    expect(messages[1]![0]).toBe('3');
    expect(JSON.parse(Buffer.from(messages[1]!.slice(1), 'base64').toString())).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });
  });

  it('find only running containers: an exited one is not found', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'half' }, spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 2, containers: [
      { name: 'main', image: node.image, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] },
      { name: 'done', image: node.image, command: ['true'] },
    ] } };
    const k = kubectls.get('1.35')!;
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await waitFor('done exited', async () => (await node.cluster.client.get<Pod>(gvr.pods, 'default', 'half')).status?.containerStatuses?.find((c) => c.name === 'done')?.state?.terminated, 60_000);
    for (const version of ['1.28', '1.35'] as const) {
      const r = await kubectls.get(version)!.run(['exec', 'half', '-c', 'done', '--', 'true']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('container not found ("done")');
    }
    expect(await k.ok(['exec', 'half', '-c', 'main', '--', 'echo', 'alive'])).toBe('alive\n');
    await k.ok(['delete', 'pod', 'half', '--wait=true']);
  });

  it('end the command when the client goes away', async () => {
    const k = kubectls.get('1.28')!;
    const exec = k.start(['exec', 'box', '--', 'sh', '-c', 'echo started; exec sleep 4242']);
    await exec.waitFor(/started/);
    const running = async () => (await k.ok(['exec', 'box', '--', 'ps'])).includes('sleep 4242');
    expect(await running()).toBe(true);
    await exec.kill();
    await waitFor('the sleep ended', async () => !(await running()), 15_000, 300);
  });
});

describe('@kubernetes/client-node', () => {
  const config = () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(node.cluster.kubeconfigPath);
    return kc;
  };

  it('Exec: output, stdin and the exit status', async () => {
    const [stdout, stderr, stdin] = [new PassThrough(), new PassThrough(), new PassThrough()];
    let out = '';
    stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const status = await new Promise<k8s.V1Status>((resolve) => {
      void new k8s.Exec(config()).exec('default', 'box', 'main', ['sh', '-c', 'read x; echo "got $x"; exit 5'], stdout, stderr, stdin, false, (s) => resolve(s));
      stdin.write('hello\n');
    });
    expect(out).toBe('got hello\n');
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '5' }] } });
  });

  it('Attach: the live output of a container', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'talker' }, spec: { terminationGracePeriodSeconds: 2, containers: [
      { name: 'main', image: node.image, command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.2; done'] },
    ] } };
    await kubectls.get('1.35')!.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await waitFor('talker Running', async () => (await node.cluster.client.get<Pod>(gvr.pods, 'default', 'talker')).status?.phase === 'Running', 60_000);
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const ws = await new k8s.Attach(config()).attach('default', 'talker', 'main', stdout, null, null, false);
    await waitFor('two live lines', () => /line \d+\nline \d+\n/.test(out), 10_000);
    (ws as { close(): void }).close();
    await kubectls.get('1.35')!.ok(['delete', 'pod', 'talker', '--wait=true']);
  });

  it('PortForward: a connection to the echo server', async () => {
    const [output, input] = [new PassThrough(), new PassThrough()];
    let got = '';
    output.on('data', (d: Buffer) => { got += d.toString(); });
    const ws = await new k8s.PortForward(config()).portForward('default', 'box', [7000], output, null, input);
    input.write('through the websocket\n');
    await waitFor('the echo', () => got === 'through the websocket\n', 10_000);
    (ws as { close(): void }).close();
  });
});
