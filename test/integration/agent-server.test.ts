// The agent's HTTPS endpoint and the API server's proxy to it: only a caller with the API
// server's kubelet client certificate gets in (401 / 403 as the kubelet answers otherwise), the
// Node reports the endpoint's port, and pods/log (streamed, -f), pods/exec and pods/attach
// (upgrades, SPDY by POST and WebSocket by GET, proxied at the socket level) reach the agent's
// routes with the kubelet's paths and the client's query — checked by real kubectl and raw
// sockets, with the API's validation errors as upstream words them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from 'kubernetes-types/core/v1';
import { ensureCA, issueCertificate } from '../../src-main/auth/ca.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { NodeAgent } from '../../src-main/agent/node-agent.ts';
import { AgentServer } from '../../src-main/agent/server/agent-server.ts';
import { selfSignedServingCert } from '../../src-main/agent/certificates/self-signed-cert.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const nodeName = `ks-node-${process.pid}`;
let dir: string;
let cluster: TestCluster;
let server: AgentServer;
let agent: NodeAgent;
let kubectl: Kubectl;
let oldKubectl: Kubectl;
let release: () => void = () => undefined;
const upgrades: { method: string; url: string; headers: IncomingHttpHeaders; closed: boolean }[] = [];

type Cert = { certPem: string; keyPem: string };
let servingCert: Cert;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const clusterCA = (): Cert => ({ certPem: cluster.cp.caPem, keyPem: readFileSync(join(cluster.cp.dataDir, 'pki', 'ca.key'), 'utf8') });

function agentGet(path: string, cert?: Cert): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: server.port, path, rejectUnauthorized: false, ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw request on a TLS socket to the API; resolves with the socket and what came back first. */
async function rawUpgrade(method: string, path: string, headers: string[]): Promise<{ socket: Duplex; first: string; read: () => string }> {
  const url = new URL(cluster.cp.url);
  const socket = tlsConnect({ host: url.hostname, port: Number(url.port), ca: cluster.cp.caPem });
  await new Promise((r) => socket.once('secureConnect', r));
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
  socket.write([`${method} ${path} HTTP/1.1`, `Host: ${url.host}`, `Authorization: Bearer ${cluster.cp.adminToken}`, ...headers, '', ''].join('\r\n'));
  const first = await waitFor('an answer to the upgrade', () => received.includes('\r\n\r\n') && received);
  return { socket, first, read: () => received };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-agent-server-'));
  cluster = await startTestCluster();
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
  oldKubectl = new Kubectl('1.20', cluster.kubeconfigPath);
  servingCert = await issueCertificate(clusterCA(), { subject: `CN=system:node:${nodeName}, O=system:nodes`, sans: { dns: [nodeName], ips: ['127.0.0.1'] }, usages: [SERVER_AUTH], days: 1 });
  server = new AgentServer({ caPem: cluster.cp.caPem, nodeName, certificate: servingCert, port: 0, address: '127.0.0.1' });
  server.addRoute('GET', '/containerLogs/:namespace/:pod/:container', async (req, res, params, query) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write(`${params.namespace}/${params.pod}/${params.container} ${req.url}\n`);
    if (query.get('follow') !== 'true') return void res.end();
    await new Promise<void>((r) => (release = r));
    res.end('second line\n');
  });
  server.addRoute('GET', '/stats/*rest', (_req, res, params) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ node: { nodeName }, asked: params.rest }));
  });
  server.addRoute('GET', '/containerLogs/:namespace/:pod/broken', () => {
    throw new Error('never reached: the first route matches');
  });
  const echo = (req: import('node:http').IncomingMessage, socket: Duplex, head: Buffer) => {
    const record = { method: req.method!, url: req.url!, headers: req.headers, closed: false };
    upgrades.push(record);
    socket.on('close', () => (record.closed = true));
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${req.headers.upgrade}\r\n\r\n`);
    if (head.length) socket.write(head.toString().toUpperCase());
    socket.on('data', (c: Buffer) => socket.write(c.toString().toUpperCase()));
  };
  server.addUpgradeRoute('/exec/:namespace/:pod/:container', echo);
  server.addUpgradeRoute('/attach/:namespace/:pod/:container', echo);
  server.addUpgradeRoute('/portForward/:namespace/:pod', echo);
  await server.start();
  agent = new NodeAgent({ client: cluster.client, nodeName, stateDir: join(dir, 'state'), runtime: 'runc', nodeIP: '127.0.0.1', kubeletPort: server.port });
  await agent.start();
  await cluster.client.create<Node>(gvr.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: `${nodeName}-no-agent` } });
  const pod = (name: string, node: string, containers: string[], initContainers: string[] = []) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { nodeName: node || undefined, containers: containers.map((c) => ({ name: c, image: 'busybox' })), initContainers: initContainers.map((c) => ({ name: c, image: 'busybox' })) },
  });
  await cluster.client.create(gvr.pods, pod('one', nodeName, ['main']));
  await cluster.client.create(gvr.pods, pod('two', nodeName, ['a', 'b'], ['setup']));
  await cluster.client.create(gvr.pods, pod('lost', `${nodeName}-no-agent`, ['main']));
  await cluster.client.create(gvr.pods, pod('gone', `${nodeName}-missing`, ['main']));
});

afterAll(async () => {
  release();
  agent?.stop();
  await server?.stop();
  await kubectl?.cleanup();
  await oldKubectl?.cleanup();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the agent endpoint', () => {
  it('is reported in the Node status with the port it took', async () => {
    const node = await cluster.client.get<Node>(gvr.nodes, undefined, nodeName);
    expect(server.port).toBeGreaterThan(0);
    expect(node.status!.daemonEndpoints!.kubeletEndpoint!.Port).toBe(server.port);
  });

  it('serves only the API server: 401 without a certificate or with a foreign one, 403 for another user', async () => {
    const pki = join(cluster.cp.dataDir, 'pki');
    const apiClient = { certPem: readFileSync(join(pki, 'apiserver-kubelet-client.crt'), 'utf8'), keyPem: readFileSync(join(pki, 'apiserver-kubelet-client.key'), 'utf8') };
    const path = '/containerLogs/default/one/main';
    expect(await agentGet(path)).toEqual({ status: 401, body: 'Unauthorized\n' });
    mkdirSync(join(dir, 'foreign'));
    const foreignCA = await ensureCA(join(dir, 'foreign'));
    const foreign = await issueCertificate(foreignCA, { subject: 'CN=kube-apiserver-kubelet-client, O=system:masters', usages: ['1.3.6.1.5.5.7.3.2'], days: 1 });
    expect(await agentGet(path, foreign)).toEqual({ status: 401, body: 'Unauthorized\n' });
    const nodeUser = await issueCertificate(clusterCA(), { subject: 'CN=system:node:other, O=system:nodes', usages: ['1.3.6.1.5.5.7.3.2'], days: 1 });
    expect(await agentGet(path, nodeUser)).toEqual({ status: 403, body: 'Forbidden (user=system:node:other, verb=get, resource=nodes, subresource(s)=[proxy])\n' });
    expect(await agentGet('/stats/summary', nodeUser)).toMatchObject({ status: 403, body: expect.stringContaining('subresource(s)=[stats]') });
    expect(await agentGet(path, apiClient)).toEqual({ status: 200, body: `default/one/main ${path}\n` });
    expect(await agentGet('/no/such/path', apiClient)).toEqual({ status: 404, body: '404 page not found\n' });
    expect(await agentGet('/exec/default/one/main?command=ls', apiClient)).toEqual({ status: 400, body: 'Upgrade request required\n' });
    // An upgrade without a certificate is refused before any route sees it.
    const before = upgrades.length;
    const refused = await new Promise<string>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false }, () => s.write('POST /exec/default/one/main HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n'));
      let got = '';
      s.on('data', (c: Buffer) => (got += c.toString())).on('close', () => resolve(got)).on('error', () => resolve(got));
    });
    expect(refused).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n[\s\S]*\r\n\r\nUnauthorized\n$/);
    expect(upgrades.length).toBe(before);
  });
});

describe('the control plane\'s AgentConnector', () => {
  it('reaches a node\'s agent with the kubelet client certificate, for JSON documents', async () => {
    expect(await cluster.cp.agents.getJSON(nodeName, '/stats/summary')).toEqual({ node: { nodeName }, asked: 'summary' });
    await expect(cluster.cp.agents.getJSON(nodeName, '/nothing')).rejects.toThrow(`the agent on node "${nodeName}" answered /nothing with 404: 404 page not found`);
    await expect(cluster.cp.agents.getJSON(`${nodeName}-no-agent`, '/stats/summary')).rejects.toMatchObject({ code: 503 });
    await expect(cluster.cp.agents.getJSON('no-such-node', '/stats/summary')).rejects.toMatchObject({ code: 404 });
  });
});

describe('the API server proxy', () => {
  it('passes kubectl logs to the agent with the kubelet path and the query, for 1.20 and 1.35', async () => {
    expect(await kubectl.ok(['logs', 'one', '--tail=3', '--timestamps'])).toBe('default/one/main /containerLogs/default/one/main?container=main&tailLines=3&timestamps=true\n');
    expect(await oldKubectl.ok(['logs', 'two', '-c', 'b', '--since=10s'])).toBe('default/two/b /containerLogs/default/two/b?container=b&sinceSeconds=10\n');
  });

  it('streams logs -f as the agent writes them', async () => {
    const follow = kubectl.start(['logs', '-f', 'one']);
    await follow.waitFor(/default\/one\/main \/containerLogs\/default\/one\/main\?container=main&follow=true\n/);
    expect(follow.stdout()).not.toContain('second line');
    release();
    await follow.waitFor(/second line\n/);
    await waitFor('kubectl logs -f ends with the stream', () => follow.child.exitCode === 0);
  });

  it('answers as upstream for a missing container name, a wrong one, no node and no agent', async () => {
    const multi = await oldKubectl.run(['get', '--raw', '/api/v1/namespaces/default/pods/two/log']);
    expect(multi.stderr).toContain('a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [setup]');
    // kubectl ≥ 1.21 checks the name itself; the API's own answer, as kubectl shows it:
    const wrong = await kubectl.run(['get', '--raw', '/api/v1/namespaces/default/pods/one/log?container=nope']);
    expect(wrong.stderr).toContain('Error from server (BadRequest): container nope is not valid for pod one');
    expect((await kubectl.run(['logs', 'two'])).stderr).toContain('Defaulted container "a" out of: a, b, setup (init)');
    const noAgent = await kubectl.run(['logs', 'lost']);
    expect(noAgent.stderr).toContain(`pods/log needs the Kubelab agent on node "${nodeName}-no-agent"`);
    const noNode = await kubectl.run(['logs', 'gone']);
    expect(noNode.stderr).toContain(`nodes "${nodeName}-missing" not found`);
    const badTail = await kubectl.run(['get', '--raw', '/api/v1/namespaces/default/pods/one/log?tailLines=-2']);
    expect(badTail.stderr).toMatch(/PodLogOptions \\?"one\\?" is invalid: tailLines: Invalid value: -2: must be greater than or equal to 0/);
  });

  it('proxies an SPDY exec upgrade at the socket level, without the Authorization header', async () => {
    const path = '/api/v1/namespaces/default/pods/one/exec?command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&tty=true';
    const { socket, first, read } = await rawUpgrade('POST', path, ['Connection: Upgrade', 'Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: v4.channel.k8s.io']);
    expect(first).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    const seen = upgrades.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', url: '/exec/default/one/main?command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&tty=true' });
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['x-stream-protocol-version']).toBe('v4.channel.k8s.io');
    expect(seen.headers.host).toBe(`127.0.0.1:${server.port}`);
    socket.write('ping');
    await waitFor('the echo through both proxies', () => read().endsWith('PING'));
    socket.destroy();
    await waitFor('the agent side closed with the client', () => seen.closed);
  });

  it('proxies WebSocket GET upgrades for attach and port-forward, and refuses a bad container before dialing', async () => {
    const ws = ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol: v5.channel.k8s.io'];
    const attach = await rawUpgrade('GET', '/api/v1/namespaces/default/pods/two/attach?container=a&stdout=true', ws);
    expect(attach.first).toMatch(/^HTTP\/1\.1 101 /);
    expect(upgrades.at(-1)).toMatchObject({ method: 'GET', url: '/attach/default/two/a?container=a&stdout=true' });
    attach.socket.destroy();
    const forward = await rawUpgrade('GET', '/api/v1/namespaces/default/pods/one/portforward?ports=8080', ws);
    expect(upgrades.at(-1)).toMatchObject({ url: '/portForward/default/one?ports=8080' });
    forward.socket.destroy();
    const before = upgrades.length;
    const bad = await rawUpgrade('POST', '/api/v1/namespaces/default/pods/two/exec?command=ls&stdout=true', ['Connection: Upgrade', 'Upgrade: SPDY/3.1']);
    expect(bad.first).toMatch(/^HTTP\/1\.1 400 /);
    await waitFor('the error body', () => bad.read().includes('a container name must be specified for pod two, choose one of: [a b]'));
    bad.socket.destroy();
    expect(upgrades.length).toBe(before);
  });

  it('lets kubectl exec (1.20, SPDY) reach the agent', async () => {
    // The test route is an echo, not a remotecommand server: kubectl fails after the upgrade,
    // but only once the agent answered 101 to the request it sent.
    const before = upgrades.length;
    await oldKubectl.run(['exec', 'one', '--', 'true'], { timeoutMs: 10_000 });
    expect(upgrades.length).toBe(before + 1);
    expect(upgrades.at(-1)).toMatchObject({ method: 'POST', url: expect.stringMatching(/^\/exec\/default\/one\/main\?command=true&/) });
  });

  it('refuses an agent whose serving certificate is not the cluster CA\'s, not for the node\'s address, or another node\'s', async () => {
    const exec = '/api/v1/namespaces/default/pods/one/exec?command=true&stdout=true';
    const spdy = ['Connection: Upgrade', 'Upgrade: SPDY/3.1'];
    const answer = async () => {
      const { socket, read } = await rawUpgrade('POST', exec, spdy);
      await waitFor('the whole answer', () => /\r\n\r\n[\s\S]*\}/.test(read()) || /^HTTP\/1\.1 101 /.test(read()));
      socket.destroy();
      return read();
    };
    try {
      // Each upgrade dials anew, so each sees the certificate served at that moment.
      server.setServingCertificate(selfSignedServingCert(`${nodeName}@kubelab`, { dns: [nodeName], ips: ['127.0.0.1'] }, 1));
      expect(await answer()).toMatch(/^HTTP\/1\.1 500 [\s\S]*error dialing backend: tls: failed to verify certificate: self-signed certificate \(the agent's serving certificate must be issued by the cluster CA/);
      server.setServingCertificate(await issueCertificate(clusterCA(), { subject: `CN=system:node:${nodeName}, O=system:nodes`, sans: { dns: [nodeName], ips: ['10.9.9.9'] }, usages: [SERVER_AUTH], days: 1 }));
      expect(await answer()).toMatch(/tls: failed to verify certificate: .*IP: 127\.0\.0\.1 is not in the cert's list/);
      // Right CA and address, but another node's: what a node that reported this address would get.
      server.setServingCertificate(await issueCertificate(clusterCA(), { subject: 'CN=system:node:other, O=system:nodes', sans: { dns: ['other'], ips: ['127.0.0.1'] }, usages: [SERVER_AUTH], days: 1 }));
      expect(await answer()).toContain(`tls: failed to verify certificate: the certificate is for \\"system:node:other\\", not for system:node:${nodeName}`);
      const before = upgrades.length;
      server.setServingCertificate(servingCert);
      expect(await answer()).toMatch(/^HTTP\/1\.1 101 /);
      expect(upgrades.length).toBe(before + 1);
    } finally {
      server.setServingCertificate(servingCert);
    }
  });
});
