// certificates.k8s.io CertificateSigningRequests against a real `kubelab serve` (controllers in
// their child process, --cluster-signing-duration 1h) and kubectl 1.35: a node's own client
// renewal and serving request are approved and signed by the cluster CA; what a node may not ask
// for itself waits for `kubectl certificate approve|deny`; who may not approve the signer gets 403.
import { execFile } from 'node:child_process';
import { webcrypto, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1';
import { ensureCA, issueCertificate } from '../../src-main/auth/ca.ts';
import { KubeClient } from '../../src-main/client/kube-client.ts';
import { Kubectl, REPO_ROOT, type KubectlResult } from './harness/kubectl.ts';
import { KubelabServer } from './harness/server.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { ApiError } from '../../src-main/client/api-error.ts';
import { handBuiltCSR } from '../unit/auth/csr-der.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const csrGVR = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' };
const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
const show = (r: KubectlResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const SIGNING_SECONDS = 3600;

function kubelab(args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A PKCS#10 request with a fresh P-256 key, as base64 of its PEM (spec.request). */
async function request(subject: string, sans: { dns?: string[]; ips?: string[] } = {}): Promise<{ request: string; publicKey: CryptoKey }> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [...(sans.dns ?? []).map((value) => ({ type: 'dns' as const, value })), ...(sans.ips ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject, keys, signingAlgorithm: alg, extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return { request: Buffer.from(csr.toString('pem')).toString('base64'), publicKey: keys.publicKey };
}

const clientUsages = ['digital signature', 'key encipherment', 'client auth'];
const servingUsages = ['digital signature', 'key encipherment', 'server auth'];

function csrBody(name: string, req: string, signerName: string, usages: string[], expirationSeconds?: number) {
  return {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: { request: req, signerName, usages, ...(expirationSeconds !== undefined && { expirationSeconds }) },
  };
}

const condition = (csr: CertificateSigningRequest, type: string) => csr.status?.conditions?.find((c) => c.type === type);

describe('CertificateSigningRequests', () => {
  let dir: string;
  let server: KubelabServer;
  let admin: Kubectl;
  let n1: KubeClient;
  let n1Kubectl: Kubectl;
  let alice: Kubectl;
  let caPem: string;

  /** A kubeconfig like the admin's, with a client certificate the cluster CA issued for subject. */
  async function kubeconfigFor(subject: string, file: string): Promise<string> {
    const ca = await ensureCA(join(server.dataDir, 'pki'));
    const cert = await issueCertificate(ca, { subject, usages: ['1.3.6.1.5.5.7.3.2'], days: 1 });
    const cfg = parse(server.kubeconfigText) as { users: { user: Record<string, string> }[] };
    cfg.users[0].user = { 'client-certificate-data': Buffer.from(cert.certPem).toString('base64'), 'client-key-data': Buffer.from(cert.keyPem).toString('base64') };
    const text = stringify(cfg);
    writeFileSync(join(dir, file), text, { mode: 0o600 });
    return text;
  }

  const get = (name: string) => server.client.get<CertificateSigningRequest & { metadata: { name: string } }>(csrGVR, undefined, name);
  const issued = (name: string) =>
    waitFor(`${name} issued`, async () => {
      const csr = await get(name);
      return csr.status?.certificate ? csr : undefined;
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelab-csr-'));
    server = await KubelabServer.start({ dataDir: join(dir, 'data'), args: ['--cluster-signing-duration', '1h'] });
    admin = new Kubectl('1.35', server.kubeconfigPath);
    caPem = (await ensureCA(join(server.dataDir, 'pki'))).certPem;
    n1 = KubeClient.fromKubeconfig(await kubeconfigFor('CN=system:node:n1, O=system:nodes', 'n1.kubeconfig'));
    n1Kubectl = new Kubectl('1.35', join(dir, 'n1.kubeconfig'));
    const made = await kubelab(['kubeconfig', '--data-dir', server.dataDir, '--user', 'alice', '--role', 'view']);
    expect(made.code, show(made)).toBe(0);
    writeFileSync(join(dir, 'alice.kubeconfig'), made.stdout, { mode: 0o600 });
    alice = new Kubectl('1.35', join(dir, 'alice.kubeconfig'));
    // n1 as its agent registers it: its addresses are what its serving certificate may name.
    await server.client.create({ group: '', version: 'v1', resource: 'nodes' }, {
      apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' },
      status: { addresses: [{ type: 'InternalIP', address: '10.20.30.40' }, { type: 'Hostname', address: 'n1.lab' }] },
    });
  }, 120_000);

  afterAll(async () => {
    n1?.close();
    await n1Kubectl?.cleanup();
    await alice?.cleanup();
    await admin?.cleanup();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("approves and signs a node's own client renewal, with its key, subject and usages, for at most the signing duration", async () => {
    const { request: req, publicKey } = await request('CN=system:node:n1, O=system:nodes');
    const created = (await n1.create(csrGVR, { ...csrBody('', req, 'kubernetes.io/kube-apiserver-client-kubelet', clientUsages, 7200), metadata: { generateName: 'csr-' } })) as unknown as CertificateSigningRequest;
    const name = created.metadata!.name!;
    expect(created.spec.username).toBe('system:node:n1');
    expect(created.spec.groups).toContain('system:nodes');
    // The node follows it as its agent does: a watch on its name until the certificate is there.
    const watched = await new Promise<CertificateSigningRequest>((resolve, reject) => {
      const handle = n1.watch<CertificateSigningRequest & { metadata: { name: string } }>(csrGVR, { fieldSelector: `metadata.name=${name}` }, (e) => {
        if (e.type !== 'ERROR' && e.object.status?.certificate) {
          handle.stop();
          resolve(e.object);
        }
      }, (err) => err && reject(err));
    });
    const csr = await get(name);
    expect(watched.status?.certificate).toBe(csr.status?.certificate);
    expect(condition(csr, 'Approved')).toMatchObject({ status: 'True', reason: 'AutoApproved' });
    const pem = Buffer.from(csr.status!.certificate!, 'base64').toString();
    const cert = new X509Certificate(pem);
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    const parsed = new x509.X509Certificate(pem);
    expect(Buffer.from(parsed.publicKey.rawData).equals(Buffer.from(await webcrypto.subtle.exportKey('spki', publicKey)))).toBe(true);
    expect(parsed.subjectName.toJSON()).toEqual([{ CN: ['system:node:n1'] }, { O: ['system:nodes'] }]);
    expect(parsed.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual(['1.3.6.1.5.5.7.3.2']);
    const ku = parsed.getExtension(x509.KeyUsagesExtension)!.usages;
    expect(ku & x509.KeyUsageFlags.digitalSignature && ku & x509.KeyUsageFlags.keyEncipherment).toBeTruthy();
    // expirationSeconds asked for 2 h (kubectl shows 120m, as upstream words it); the cluster signs at most 1 h.
    expect(parsed.notAfter.getTime() - new Date(csr.metadata.creationTimestamp!).getTime()).toBeLessThanOrEqual((SIGNING_SECONDS + 60) * 1000);
    expect(parsed.notAfter.getTime()).toBeGreaterThan(Date.now() + (SIGNING_SECONDS - 600) * 1000);
    const list = await n1.list<CertificateSigningRequest & { metadata: { name: string } }>(csrGVR, { fieldSelector: `metadata.name=${name}` });
    expect(list.items.map((c) => c.metadata.name)).toEqual([name]);
    const table = await admin.ok(['get', 'csr', name]);
    expect(table).toMatch(/NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION/);
    expect(table).toMatch(new RegExp(`${name}\\s+\\S+\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+system:node:n1\\s+120m\\s+Approved,Issued`));
  });

  it("approves a node's serving request naming only its addresses, and leaves one with another IP pending", async () => {
    const good = await request('CN=system:node:n1, O=system:nodes', { dns: ['n1', 'n1.lab', 'localhost'], ips: ['10.20.30.40', '127.0.0.1'] });
    await n1.create(csrGVR, csrBody('serving-good', good.request, 'kubernetes.io/kubelet-serving', servingUsages));
    const csr = await issued('serving-good');
    const cert = new x509.X509Certificate(Buffer.from(csr.status!.certificate!, 'base64').toString());
    expect(cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.toJSON().map((n) => n.value).sort()).toEqual(['10.20.30.40', '127.0.0.1', 'localhost', 'n1', 'n1.lab']);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual(['1.3.6.1.5.5.7.3.1']);

    const bad = await request('CN=system:node:n1, O=system:nodes', { dns: ['n1'], ips: ['10.99.99.99'] });
    await n1.create(csrGVR, csrBody('serving-other-ip', bad.request, 'kubernetes.io/kubelet-serving', servingUsages));
    // A later self renewal is signed: the controllers have seen the pending one by then.
    const later = await request('CN=system:node:n1, O=system:nodes');
    await n1.create(csrGVR, csrBody('after-serving', later.request, 'kubernetes.io/kube-apiserver-client-kubelet', clientUsages));
    await issued('after-serving');
    expect((await admin.ok(['get', 'csr', 'serving-other-ip', '--no-headers'])).trim()).toMatch(/Pending$/);
  });

  it("leaves a node's request for another node's client certificate pending; approved by hand, the signer (which checks only the shape) signs it", async () => {
    const { request: req } = await request('CN=system:node:n2, O=system:nodes');
    await n1.create(csrGVR, csrBody('n1-for-n2', req, 'kubernetes.io/kube-apiserver-client-kubelet', clientUsages));
    const later = await request('CN=system:node:n1, O=system:nodes');
    await n1.create(csrGVR, csrBody('after-n2', later.request, 'kubernetes.io/kube-apiserver-client-kubelet', clientUsages));
    await issued('after-n2');
    expect(condition(await get('n1-for-n2'), 'Approved')).toBeUndefined();
    // A node may not approve (its own or any).
    const byNode = await n1Kubectl.run(['certificate', 'approve', 'n1-for-n2']);
    expect(byNode.code, show(byNode)).not.toBe(0);
    expect(byNode.stderr).toContain('Forbidden');
    expect(await admin.ok(['certificate', 'approve', 'n1-for-n2'])).toContain('certificatesigningrequest.certificates.k8s.io/n1-for-n2 approved');
    const csr = await issued('n1-for-n2');
    expect(condition(csr, 'Approved')).toMatchObject({ status: 'True', reason: 'KubectlApprove' });
    expect(new x509.X509Certificate(Buffer.from(csr.status!.certificate!, 'base64').toString()).subjectName.toJSON()).toEqual([{ CN: ['system:node:n2'] }, { O: ['system:nodes'] }]);
  });

  it('fails an approved request that breaks its signer\'s rules, and never signs a denied one', async () => {
    const { request: req } = await request('CN=alice, O=team');
    await server.client.create(csrGVR, csrBody('not-a-node', req, 'kubernetes.io/kube-apiserver-client-kubelet', clientUsages));
    await admin.ok(['certificate', 'approve', 'not-a-node']);
    const failed = await waitFor('not-a-node failed', async () => {
      const csr = await get('not-a-node');
      return condition(csr, 'Failed') ? csr : undefined;
    });
    expect(condition(failed, 'Failed')).toMatchObject({ status: 'True', reason: 'SignerValidationFailure', message: 'subject organization is not system:nodes' });
    expect(failed.status?.certificate).toBeUndefined();
    expect((await admin.ok(['get', 'csr', 'not-a-node', '--no-headers'])).trim()).toMatch(/Approved,Failed$/);

    const denied = await request('CN=bob');
    await server.client.create(csrGVR, csrBody('bob-client', denied.request, 'kubernetes.io/kube-apiserver-client', clientUsages));
    expect(await admin.ok(['certificate', 'deny', 'bob-client'])).toContain('certificatesigningrequest.certificates.k8s.io/bob-client denied');
    // Approving a denied request is refused: Approved and Denied are exclusive.
    const both = await admin.run(['certificate', 'approve', 'bob-client']);
    expect(both.code, show(both)).not.toBe(0);
    expect(both.stderr).toContain('is already Denied');
    const later = await request('CN=carol');
    await server.client.create(csrGVR, csrBody('carol-client', later.request, 'kubernetes.io/kube-apiserver-client', clientUsages));
    await admin.ok(['certificate', 'approve', 'carol-client']);
    await issued('carol-client');
    const csr = await get('bob-client');
    expect(condition(csr, 'Denied')).toMatchObject({ status: 'True', reason: 'KubectlDeny' });
    expect(csr.status?.certificate).toBeUndefined();
  });

  it('answers a bad request with a 422 naming each field, and keeps the spec as created', async () => {
    const { request: req } = await request('CN=system:node:n1, O=system:nodes');
    const bad = { ...csrBody('bad', Buffer.from('not a pem').toString('base64'), '', ['client auth', 'flying'], 599) };
    const refused = await n1.create(csrGVR, bad).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    const status = (refused as ApiError).body;
    expect(status.code).toBe(422);
    expect(status.details?.causes?.map((c) => c.field)).toEqual(['spec.request', 'spec.usages[1]', 'spec.signerName', 'spec.expirationSeconds']);
    await n1.create(csrGVR, csrBody('immutable', req, 'kubernetes.io/kube-apiserver-client-kubelet', clientUsages));
    const current = await get('immutable');
    const changed = await server.client.update(csrGVR, { ...current, spec: { ...current.spec, signerName: 'example.com/mine' } }).catch((e: unknown) => e);
    expect([(changed as ApiError).body.code, (changed as ApiError).body.details?.causes?.map((c) => [c.field, c.message])]).toEqual([422, [['spec', expect.stringContaining('field is immutable')]]]);
    // Upstream's CertificateSubjectRestriction: never a client certificate for system:masters.
    const masters = await request('CN=mallory, O=system:masters');
    const toMasters = await server.client.create(csrGVR, csrBody('masters', masters.request, 'kubernetes.io/kube-apiserver-client', clientUsages)).catch((e: unknown) => e);
    expect([(toMasters as ApiError).body.code, (toMasters as ApiError).body.message]).toEqual([403, 'certificatesigningrequests.certificates.k8s.io "masters" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed']);
    // kubectl create -f sends the request as its typed client does (protobuf in 1.35).
    const { request: viaKubectl } = await request('CN=system:node:n1, O=system:nodes');
    const manifest = stringify(csrBody('from-kubectl', viaKubectl, 'kubernetes.io/kube-apiserver-client-kubelet', clientUsages));
    expect(await admin.ok(['create', '-f', '-'], { input: manifest })).toContain('certificatesigningrequest.certificates.k8s.io/from-kubectl created');
    expect((await get('from-kubectl')).spec.request).toBe(viaKubectl);
    const flag = await kubelab(['serve', '--data-dir', join(dir, 'unused'), '--cluster-signing-duration', 'a year']);
    expect([flag.code, flag.stderr.trim()]).toEqual([2, 'kubelab: --cluster-signing-duration must be a duration of at least 1s such as 8760h, 720h or 30m, not "a year"']);
  });

  it('refuses approving to a view-only user, and to one who may update approvals but not approve the signer', async () => {
    const { request: req } = await request('CN=dave');
    await server.client.create(csrGVR, csrBody('dave-client', req, 'kubernetes.io/kube-apiserver-client', clientUsages));
    const byViewer = await alice.run(['certificate', 'approve', 'dave-client']);
    expect(byViewer.code, show(byViewer)).not.toBe(0);
    expect(byViewer.stderr).toContain('Forbidden');

    await admin.ok(['create', 'clusterrole', 'csr-updater', '--verb=get,list,watch,update', '--resource=certificatesigningrequests,certificatesigningrequests/approval']);
    await admin.ok(['create', 'clusterrolebinding', 'erin-csr-updater', '--clusterrole=csr-updater', '--user=erin']);
    const made = await kubelab(['kubeconfig', '--data-dir', server.dataDir, '--user', 'erin']);
    writeFileSync(join(dir, 'erin.kubeconfig'), made.stdout, { mode: 0o600 });
    const erin = new Kubectl('1.35', join(dir, 'erin.kubeconfig'));
    try {
      const r = await erin.run(['certificate', 'approve', 'dave-client']);
      expect(r.code, show(r)).not.toBe(0);
      expect(r.stderr).toContain('user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"');
      // Allowed to approve that signer, the same request goes through.
      await admin.ok(['create', 'clusterrolebinding', 'erin-client-approver', '--clusterrole=system:certificates.k8s.io:kube-apiserver-client-approver', '--user=erin']);
      await waitFor('erin may approve', async () => (await erin.run(['certificate', 'approve', 'dave-client'])).code === 0);
    } finally {
      await erin.cleanup();
    }
    expect(condition(await issued('dave-client'), 'Approved')).toMatchObject({ reason: 'KubectlApprove' });
    expect(condition(await get('dave-client'), 'Denied')).toBeUndefined();
  });
});

// The same with the controllers in the API server's process (what tests and in-process use get):
// the signer reads the CA's files there too, and a short signing duration shows a rotation's pace.
describe('CertificateSigningRequests with in-process controllers', () => {
  let cluster: TestCluster;
  let n3: KubeClient;

  beforeAll(async () => {
    cluster = await startTestCluster({ clusterSigningDurationSeconds: 120 });
    const ca = await ensureCA(join(cluster.cp.dataDir, 'pki'));
    const cert = await issueCertificate(ca, { subject: 'CN=system:node:n3, O=system:nodes', usages: ['1.3.6.1.5.5.7.3.2'], days: 1 });
    n3 = new KubeClient({ server: cluster.cp.url, ca: cluster.cp.caPem, cert: cert.certPem, key: cert.keyPem });
  }, 60_000);

  afterAll(async () => {
    n3?.close();
    await cluster?.stop();
  });

  it("signs a node's self renewal, hand-built as the agent builds it, for the cluster's short signing duration", async () => {
    const { request: req } = handBuiltCSR('system:node:n3', 'system:nodes');
    await n3.create(csrGVR, csrBody('n3-renewal', req, 'kubernetes.io/kube-apiserver-client-kubelet', clientUsages));
    const csr = await waitFor('n3-renewal issued', async () => {
      const c = await cluster.client.get<CertificateSigningRequest & { metadata: { name: string } }>(csrGVR, undefined, 'n3-renewal');
      return c.status?.certificate ? c : undefined;
    });
    const cert = new x509.X509Certificate(Buffer.from(csr.status!.certificate!, 'base64').toString());
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBeLessThanOrEqual((120 + 12) * 1000);
    expect(cert.notAfter.getTime()).toBeLessThanOrEqual(Date.now() + 120_000);
  });
});
