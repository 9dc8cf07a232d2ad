// A joined agent's certificates, for real: with the cluster's signing duration cut to 45 s, the
// agent's node credential and its serving certificate are both renewed through
// CertificateSigningRequests (approved and signed by the controllers) before they end, with new
// keys. The agent goes on working after the first credential has expired — its Lease is renewed
// and the API server reaches its endpoint over a newly verified connection — while the expired
// credential itself is refused. A restart needs no token: it runs on the renewed kubeconfig.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Node } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1';
import { createBootstrapToken } from '../../src-main/auth/bootstrap-token-secret.ts';
import { KubeClient } from '../../src-main/client/kube-client.ts';
import { ApiError } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { CSR_GVR } from '../../src-main/agent/certificates/csr-client.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';
import { AgentProcesses, type AgentProcess } from './harness/agent-process.ts';

const SIGNING_SECONDS = 45;
const name = `rot-${process.pid}`;
let dir: string;
let cluster: TestCluster;
let kubectl: Kubectl;
let agents: AgentProcesses;
let agent: AgentProcess;

interface Credential { certPem: string; keyPem: string }

function nodeCredential(): Credential {
  const config = parse(readFileSync(join(dir, name, 'kubeconfig'), 'utf8')) as { users: { user: Record<string, string> }[] };
  const user = config.users[0]!.user;
  const decode = (k: string) => Buffer.from(user[k]!, 'base64').toString('utf8');
  return { certPem: decode('client-certificate-data'), keyPem: decode('client-key-data') };
}

const servingCert = (): string => readFileSync(join(dir, name, 'pki', 'kubelet.crt'), 'utf8');
const serial = (pem: string): string => new X509Certificate(pem).serialNumber;
const life = (pem: string): number => {
  const c = new X509Certificate(pem);
  return (Date.parse(c.validTo) - Date.parse(c.validFrom)) / 1000;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-cert-rotation-'));
  cluster = await startTestCluster({ clusterSigningDurationSeconds: SIGNING_SECONDS });
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
  agents = new AgentProcesses(dir);
});
afterAll(async () => {
  await agents?.stopAll();
  await kubectl?.cleanup();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('certificate rotation', () => {
  let first: Credential;

  it('gives a joined node a short credential and a serving certificate from the cluster CA', async () => {
    const { token } = await createBootstrapToken(cluster.client, { ttlSeconds: 600, description: 'rotation test', caPem: cluster.cp.caPem });
    agent = agents.start(name, ['--server', cluster.cp.url, '--token', token]);
    await waitFor(`a serving certificate\n${agent.output()}`, () => agent.output().includes('agent: new serving certificate'), 30_000);
    first = nodeCredential();
    expect(life(first.certPem)).toBeLessThanOrEqual(SIGNING_SECONDS + 60);
    const serving = new X509Certificate(servingCert());
    expect(serving.verify(new X509Certificate(cluster.cp.caPem).publicKey)).toBe(true);
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serving.subject).toContain(`CN=system:node:${name}`);
    // The API server reaches the agent over a connection that verified that certificate.
    const summary = JSON.parse(await kubectl.ok(['get', '--raw', `/api/v1/nodes/${name}/proxy/stats/summary`])) as { node: { nodeName: string } };
    expect(summary.node.nodeName).toBe(name);
  });

  it('renews both with new keys before they end, through approved and signed CSRs', async () => {
    const firstServing = servingCert();
    await waitFor(`both certificates renewed\n${agent.output()}`, () => serial(nodeCredential().certPem) !== serial(first.certPem) && serial(servingCert()) !== serial(firstServing), SIGNING_SECONDS * 1000);
    const renewed = nodeCredential();
    expect(renewed.keyPem).not.toBe(first.keyPem);
    const cert = new X509Certificate(renewed.certPem);
    expect(cert.subject).toMatch(/CN=system:node:rot-/);
    expect(cert.verify(new X509Certificate(cluster.cp.caPem).publicKey)).toBe(true);
    const csrs = (await cluster.client.list<CertificateSigningRequest & { metadata: object }>(CSR_GVR)).items.filter((c) => c.spec.username === `system:node:${name}`);
    const signers = csrs.map((c) => c.spec.signerName);
    expect(signers).toContain('kubernetes.io/kube-apiserver-client-kubelet');
    expect(signers).toContain('kubernetes.io/kubelet-serving');
    for (const c of csrs) {
      expect(c.status?.conditions?.map((x) => x.type)).toContain('Approved');
      expect(c.status?.certificate).toBeTruthy();
    }
    expect(await kubectl.ok(['get', 'csr'])).toMatch(new RegExp(`kubernetes.io/kube-apiserver-client-kubelet\\s+system:node:${name}\\s+.*Approved,Issued`));
  });

  it('keeps working once the first credential has expired, which is then refused', async () => {
    const expiry = Date.parse(new X509Certificate(first.certPem).validTo);
    await new Promise((r) => setTimeout(r, Math.max(0, expiry - Date.now() + 1000)));
    const old = new KubeClient({ server: cluster.cp.url, ca: cluster.cp.caPem, cert: first.certPem, key: first.keyPem });
    try {
      await expect(old.get(gvr.nodes, undefined, name)).rejects.toSatisfy((e) => e instanceof ApiError && e.status === 401);
    } finally {
      old.close();
    }
    const lease = () => cluster.client.get<Lease & { metadata: object }>(gvr.leases, 'kube-node-lease', name);
    const renewedAt = (await lease()).spec?.renewTime;
    await waitFor('the Lease renewed after the first credential ended', async () => (await lease()).spec?.renewTime !== renewedAt, 20_000);
    const node = await cluster.client.get<Node>(gvr.nodes, undefined, name);
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    // A new connection to the agent verifies the renewed serving certificate.
    const { socket } = await cluster.cp.agents.connect(name);
    try {
      expect(socket.getPeerCertificate().serialNumber.toUpperCase()).toBe(serial(servingCert()).toUpperCase());
    } finally {
      socket.destroy();
    }
    expect(agent.output()).not.toMatch(/could not renew/);
  });

  it('restarts on the renewed credential, without a token', async () => {
    expect(await agent.stop()).toBe(0);
    const again = agents.start(name, ['--server', cluster.cp.url]);
    await waitFor(`the restarted agent up\n${again.output()}`, () => again.output().includes(`agent: node ${name} is up`), 30_000);
    expect(again.output()).not.toContain('joined the cluster');
  });
});
