// Joining with a bootstrap token, as the provisioner will: the real agent process is given only
// the API server's URL and a one-time token K10<CA hash>::<id>.<secret>. It checks the server's
// CA against the hash before it sends anything, trades the token for a certificate of its own
// and runs as system:node:<name>; the token is used up, and a restart needs it no more. Tokens
// that are used, expired or for another CA, and certificates from another CA, get nowhere.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Node, Secret } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { KubeClient } from '../../src-main/client/kube-client.ts';
import { ApiError } from '../../src-main/client/api-error.ts';
import { caHash } from '../../src-main/auth/bootstrap-token.ts';
import { createBootstrapToken, deleteBootstrapToken } from '../../src-main/auth/bootstrap-token-secret.ts';
import { ensureCA, issueCertificate } from '../../src-main/auth/ca.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl, REPO_ROOT } from './harness/kubectl.ts';
import { AgentProcesses, KUBELAB_CLI, type AgentProcess } from './harness/agent-process.ts';

let cluster: TestCluster;
let kubectl: Kubectl;
let dir: string;
let agents: AgentProcesses;
const servers: https.Server[] = [];
type Agent = AgentProcess;
const startAgent = (name: string, args: string[], bundle?: string): Agent => agents.start(name, args, bundle);
const stopAgent = (a: Agent): Promise<number | null> => a.stop();

const ready = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const getNode = (name: string) => cluster.client.get<Node>(gvr.nodes, undefined, name).catch(() => undefined);
const getTokenSecret = (id: string) => cluster.client.get<Secret>(gvr.secrets, 'kube-system', `bootstrap-token-${id}`).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? undefined : Promise.reject(e)));
const newToken = (ttlSeconds = 600) => createBootstrapToken(cluster.client, { ttlSeconds, description: `agent-join test ${process.pid}`, caPem: cluster.cp.caPem });

function tokenFile(name: string, token: string): string {
  const path = join(dir, `${name}.token`);
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-agent-join-'));
  agents = new AgentProcesses(dir);
  cluster = await startTestCluster();
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
});
afterAll(async () => {
  await agents?.stopAll();
  for (const s of servers) await new Promise((r) => s.close(r));
  await kubectl?.cleanup();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('joining with a bootstrap token', () => {
  let joined: Agent;
  let joinedId: string;
  let joinedToken: string;

  it('a token joins the agent: its Node becomes Ready, it runs as system:node:<name>, the token is used up', async () => {
    const { token, id, expires } = await newToken();
    joinedId = id;
    joinedToken = token;
    expect(token).toBe(`K10${caHash(cluster.cp.caPem)}::${token.split('::')[1]}`);
    expect(expires.getTime()).toBeGreaterThan(Date.now() + 590_000);
    // kubeadm's Secret, as kubectl shows it.
    const secret = JSON.parse(await kubectl.ok(['get', 'secret', '-n', 'kube-system', `bootstrap-token-${id}`, '-o', 'json'])) as Secret;
    const data = Object.fromEntries(Object.entries(secret.data!).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    expect(data).toEqual({ 'token-id': id, 'token-secret': token.split('.').pop(), expiration: expires.toISOString().replace(/\.\d{3}Z$/, 'Z'), 'usage-bootstrap-authentication': 'true', description: `agent-join test ${process.pid}` });

    joined = startAgent('join-1', ['--server', cluster.cp.url, '--token-file', tokenFile('join-1', token)]);
    await waitFor(`join-1 Ready\n${joined.output()}`, async () => ready(await getNode('join-1')), 30_000);
    expect(joined.output()).toContain(`agent: joined the cluster at ${cluster.cp.url} as system:node:join-1`);
    expect(joined.output()).not.toContain(token.split('.').pop());
    expect(cluster.logs.join('\n')).toContain(`auth: bootstrap token ${id} exchanged for the credential of system:node:join-1`);
    expect(await getTokenSecret(id)).toBeUndefined();

    // The node's own kubeconfig: 0600, the cluster CA, its certificate and key; no token.
    const kubeconfigPath = join(dir, 'join-1', 'kubeconfig');
    expect(statSync(kubeconfigPath).mode & 0o777).toBe(0o600);
    const config = parse(readFileSync(kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { name: string; user: Record<string, string> }[] };
    expect(config.clusters[0]!.cluster.server).toBe(cluster.cp.url);
    expect(Buffer.from(config.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString()).toBe(cluster.cp.caPem);
    expect(Object.keys(config.users[0]!.user).sort()).toEqual(['client-certificate-data', 'client-key-data']);
    const cert = new X509Certificate(Buffer.from(config.users[0]!.user['client-certificate-data']!, 'base64'));
    expect(cert.subject.split('\n').sort()).toEqual(['CN=system:node:join-1', 'O=system:nodes']);
    expect(cert.checkIssued(new X509Certificate(cluster.cp.caPem))).toBe(true);

    // Who the API server takes the node's credential for: its 403 for a node asking for a
    // second credential names the user.
    const asNode = KubeClient.fromKubeconfigFile(kubeconfigPath);
    try {
      const again = await asNode.request('POST', '/v1-kubelab/node-credential', { nodeName: 'join-1', publicKeyPem: 'x' }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(ApiError);
      expect((again as ApiError).status).toBe(403);
      expect((again as ApiError).message).toBe('forbidden: User "system:node:join-1" cannot post path "/v1-kubelab/node-credential": only a bootstrap token can be exchanged for a node credential');
      expect((await asNode.get<Node>(gvr.nodes, undefined, 'join-1')).metadata!.name).toBe('join-1');
    } finally {
      asNode.close();
    }
    // The admin's kubectl sees the node as any other.
    expect(await kubectl.ok(['get', 'node', 'join-1'])).toMatch(/^join-1\s+Ready\s/m);
  });

  it('restarted without the token, it runs with its credential; --server overrides a kubeconfig\'s', async () => {
    const lease = await cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'join-1');
    expect(await stopAgent(joined)).toBe(0);
    // As the service restarts it: the token file it names was deleted after the join.
    const again = startAgent('join-1', ['--server', cluster.cp.url, '--token-file', join(dir, 'deleted-after-join.token')]);
    await waitFor(`join-1 back\n${again.output()}`, () => again.output().includes('node join-1 is up'));
    expect(again.output()).not.toContain('joined the cluster');
    await waitFor('a renewed lease', async () => (await cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'join-1')).spec!.renewTime !== lease.spec!.renewTime);
    expect(await stopAgent(again)).toBe(0);

    // The control plane moved: the saved kubeconfig names an address that is gone.
    const moved = parse(readFileSync(join(dir, 'join-1', 'kubeconfig'), 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
    moved.clusters[0]!.cluster.server = 'https://127.0.0.1:1';
    const movedPath = join(dir, 'moved.kubeconfig');
    writeFileSync(movedPath, stringify(moved), { mode: 0o600 });
    const third = startAgent('join-1', ['--kubeconfig', movedPath, '--server', cluster.cp.url]);
    await waitFor(`join-1 with the moved kubeconfig\n${third.output()}`, () => third.output().includes('node join-1 is up'));
    expect(ready(await getNode('join-1'))).toBe(true);
    expect(await stopAgent(third)).toBe(0);
  });

  it('a used token joins no one: 401 in one line, and nothing is left', async () => {
    const second = startAgent('join-2', ['--server', cluster.cp.url, '--token-file', tokenFile('join-2', joinedToken)]);
    expect(await second.exited).toBe(1);
    expect(second.output().trim()).toBe(`kubelab: the API server at ${cluster.cp.url} refused the join token (401 Unauthorized): it is unknown, expired or already used; make a new one`);
    expect(await getNode('join-2')).toBeUndefined();
    expect(existsSync(join(dir, 'join-2', 'kubeconfig'))).toBe(false);
    expect(cluster.logs.join('\n')).toContain(`unauthorized: bootstrap token ${joinedId}: no such token`);
  });

  it('a server whose CA is not the token\'s never sees the token', async () => {
    // An impostor at another address: a real HTTPS server with a CA of its own, counting requests.
    const impostorDir = join(dir, 'impostor');
    mkdirSync(impostorDir);
    const impostorCA = await ensureCA(impostorDir);
    const serving = await issueCertificate(impostorCA, { subject: 'CN=kube-apiserver', sans: { dns: ['localhost'], ips: ['127.0.0.1'] }, usages: ['1.3.6.1.5.5.7.3.1'], days: 1 });
    const seen: string[] = [];
    const impostor = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      seen.push(`${req.method} ${req.url}${req.headers.authorization ? ' with credentials' : ''}`);
      if (req.url === '/cacerts') res.end(impostorCA.certPem);
      else res.end('{}');
    });
    servers.push(impostor);
    await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', () => r()));
    const impostorURL = `https://127.0.0.1:${(impostor.address() as AddressInfo).port}`;

    const { token, id } = await newToken();
    const fooled = startAgent('join-3', ['--server', impostorURL, '--token', token]);
    expect(await fooled.exited).toBe(1);
    expect(fooled.output().trim()).toBe(`kubelab: the server at ${impostorURL} presents a CA whose hash ${caHash(impostorCA.certPem)} does not match the join token: refusing to send the token`);
    expect(seen).toEqual(['GET /cacerts']);

    // The real server with a token whose hash is some other CA's: refused too, the token unused.
    const wrongHash = `K10${caHash(impostorCA.certPem)}::${token.split('::')[1]}`;
    const refused = startAgent('join-3', ['--server', cluster.cp.url, '--token-file', tokenFile('join-3', wrongHash)]);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain('does not match the join token: refusing to send the token');
    expect(await getTokenSecret(id)).toBeDefined();
    expect(await getNode('join-3')).toBeUndefined();
    await deleteBootstrapToken(cluster.client, id);
    expect(await getTokenSecret(id)).toBeUndefined();
    // Deleting one that is gone is no error (the provisioner cleans up after a join that used it).
    await deleteBootstrapToken(cluster.client, id);
  });

  it('an expired token gets 401 (the one-file bundle tells it too), and the control plane deletes its Secret', async () => {
    const bundle = join(dir, 'lone', 'kubelab-agent.js');
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'src-main/bin/agent-bundle.js'), bundle], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const { token, id } = await newToken(1);
    await new Promise((r) => setTimeout(r, 1200));
    const late = startAgent('join-4', ['--server', cluster.cp.url, '--token-file', tokenFile('join-4', token)], bundle);
    expect(await late.exited).toBe(1);
    expect(late.output().trim()).toBe(`kubelab-agent: the API server at ${cluster.cp.url} refused the join token (401 Unauthorized): it is unknown, expired or already used; make a new one`);
    await waitFor(`the expired token's Secret deleted\n${cluster.logs.join('\n')}`, async () => (await getTokenSecret(id)) === undefined, 15_000, 200);
    expect(cluster.logs.join('\n')).toContain(`bootstrap-token-cleaner: deleted the expired bootstrap token bootstrap-token-${id}`);
  });

  it('refuses bad requests precisely and keeps the token', async () => {
    const { token, id } = await newToken();
    const asBootstrap = new KubeClient({ server: cluster.cp.url, ca: cluster.cp.caPem, token: token.split('::')[1] });
    const post = (body: unknown) => asBootstrap.request('POST', '/v1-kubelab/node-credential', body).then(() => undefined, (e: unknown) => e as ApiError);
    try {
      const noBody = await post({ nodeName: 7 });
      expect([noBody!.status, noBody!.message]).toEqual([400, 'the node credential request is invalid: nodeName: Invalid value: 7: must be a string, publicKeyPem: Required value']);
      expect(noBody!.status === 400 && noBody!.body.details?.causes).toEqual([
        { reason: 'FieldValueTypeInvalid', message: 'Invalid value: 7: must be a string', field: 'nodeName' },
        { reason: 'FieldValueRequired', message: 'Required value', field: 'publicKeyPem' },
      ]);
      const rsa = await post({ nodeName: 'n', publicKeyPem: cluster.cp.caPem });
      expect([rsa!.status, rsa!.message]).toEqual([400, 'the node credential request is invalid: publicKeyPem: Invalid value: "<key>": must be an ECDSA P-256 public key in PEM (SubjectPublicKeyInfo)']);
      const badName = await post({ nodeName: 'Not_A_Name', publicKeyPem: new X509Certificate(cluster.cp.caPem).publicKey.export({ type: 'spki', format: 'pem' }) });
      expect(badName!.status).toBe(422);
      expect(badName!.message).toMatch(/^NodeCredentialRequest "Not_A_Name" is invalid: nodeName: Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain/);
      // Nothing changed: the token is still there, and may do nothing else.
      expect(await getTokenSecret(id)).toBeDefined();
      const other = await asBootstrap.get(gvr.nodes, undefined, 'join-1').then(() => undefined, (e: unknown) => e as ApiError);
      expect([other?.status, other?.message]).toEqual([403, 'nodes "join-1" is forbidden: User "system:bootstrap:' + id + '" cannot get resource "nodes" in API group "" at the cluster scope']);
    } finally {
      asBootstrap.close();
      await deleteBootstrapToken(cluster.client, id);
    }
  });

  it('a client certificate from another CA is refused (401); the admin kubeconfig works as before', async () => {
    const otherDir = join(dir, 'other-ca');
    mkdirSync(otherDir);
    const other = await ensureCA(otherDir);
    const forged = await issueCertificate(other, { subject: 'CN=system:node:join-1, O=system:nodes', usages: ['1.3.6.1.5.5.7.3.2'], days: 1 });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const forgedPath = join(dir, 'forged.kubeconfig');
    writeFileSync(forgedPath, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: cluster.cp.url, 'certificate-authority-data': b64(cluster.cp.caPem) } }],
      users: [{ name: 'u', user: { 'client-certificate-data': b64(forged.certPem), 'client-key-data': b64(forged.keyPem) } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }), { mode: 0o600 });
    const forgedKubectl = new Kubectl('1.35', forgedPath);
    try {
      const r = await forgedKubectl.run(['get', 'nodes']);
      expect(r.code).toBe(1);
      // kubectl 1.35's words for a 401, as against kube-apiserver.
      expect(r.stderr.trim().split('\n').pop()).toBe('error: You must be logged in to the server (the server has asked for the client to provide credentials)');
      // Even where anyone may go: a rejected certificate is not taken for anonymous.
      const version = await forgedKubectl.run(['get', '--raw', '/version']);
      expect(version.stderr).toContain('Unauthorized');
    } finally {
      await forgedKubectl.cleanup();
    }
    expect(await kubectl.ok(['get', 'nodes', '-o', 'name'])).toContain('node/join-1');
    expect(await kubectl.ok(['get', 'secrets', '-n', 'kube-system', '-o', 'name'])).not.toContain('bootstrap-token-');
  });

  it('refuses bad join flags with one line and exit code 2, and a start with nothing to run with (exit 1)', () => {
    const agent = (...args: string[]) => spawnSync(process.execPath, [KUBELAB_CLI, 'agent', ...args], { encoding: 'utf8' });
    const secretPart = 'abcdef.0123456789abcdef';
    const cases: [string[], string][] = [
      [[], 'kubelab: agent needs --kubeconfig FILE, or --server URL and a join token (--token or --token-file)'],
      [['--server', 'http://127.0.0.1:6443', '--token', `K10${'a'.repeat(64)}::${secretPart}`], 'kubelab: --server must be the API server\'s https://HOST:PORT, not "http://127.0.0.1:6443"'],
      [['--server', cluster.cp.url, '--token', `K10${'a'.repeat(64)}::abcdef.0123`], 'kubelab: the join token\'s secret is not 16 characters of a-z and 0-9'],
      [['--kubeconfig', cluster.kubeconfigPath, '--token', `K10${'a'.repeat(64)}::${secretPart}`], 'kubelab: a join token makes the node its own kubeconfig: give --server with it, not --kubeconfig'],
      [['--server', cluster.cp.url, '--token', 'x', '--token-file', 'y'], 'kubelab: give the join token with --token or --token-file, not both'],
      [['--server', cluster.cp.url, '--token-file', dir], `kubelab: cannot read --token-file ${dir}: EISDIR`],
    ];
    for (const [args, line] of cases) {
      const r = agent(...args);
      expect([r.status, r.stderr.trim()], args.join(' ')).toEqual([2, line]);
      expect(r.stderr).not.toContain('0123456789abcdef');
    }
    // Nothing to run with: no credential from an earlier join, and no token.
    const fresh = join(dir, 'fresh');
    const none = agent('--server', cluster.cp.url, '--node-name', 'fresh', '--state-dir', fresh, '--cgroup-parent', `/kubelab/fresh-${process.pid}`);
    agents.adoptCgroupParent(`/kubelab/fresh-${process.pid}`);
    expect([none.status, none.stderr.trim()]).toEqual([1, `kubelab: no node credential to run with (there is no ${join(fresh, 'kubeconfig')}): give a join token with --token or --token-file`]);
    const gone = agent('--server', cluster.cp.url, '--token-file', join(dir, 'absent.token'), '--node-name', 'fresh', '--state-dir', fresh, '--cgroup-parent', `/kubelab/fresh-${process.pid}`);
    expect([gone.status, gone.stderr.trim()]).toEqual([1, `kubelab: no node credential to run with (there is no ${join(fresh, 'kubeconfig')}), and the join token file ${join(dir, 'absent.token')} does not exist`]);
  });
});
