// ServiceAccount tokens against a real `kubelab serve` with kubectl 1.35: every namespace gets
// its "default" ServiceAccount and the kube-root-ca.crt ConfigMap from the controllers; `kubectl
// create token` gives a JWT that authenticates as system:serviceaccount:<ns>:<name> (seen in the
// 403 it gets, and in a TokenReview); a token bound to a pod dies with the pod; bad requests get
// upstream's errors; forged, foreign-key and expired tokens get 401; and a pod created through
// the API carries the kube-api-access projected volume mounted in each container.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { ensureServiceAccountKey } from '../../src-main/auth/service-account/signing-key.ts';
import { ServiceAccountTokenIssuer } from '../../src-main/auth/service-account/token-issuer.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';
import { KubelabServer } from './harness/server.ts';

let server: KubelabServer;
let kubectl: Kubectl;

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';

beforeAll(async () => {
  server = await KubelabServer.start();
  kubectl = new Kubectl('1.35', server.kubeconfigPath);
  await waitFor('the default ServiceAccount', () => server.client.get(gvr.serviceAccounts, 'default', 'default').then(() => true, () => false), 30_000);
}, 90_000);

afterAll(async () => {
  await kubectl?.cleanup();
  await server?.stop();
});

/** `kubectl get pods` with only this token: what the API thinks of it. */
const asToken = (token: string) => kubectl.run(['--token', token, 'get', 'pods']);

describe('ServiceAccount tokens', () => {
  it('every namespace gets the default ServiceAccount and the kube-root-ca.crt ConfigMap with the cluster CA', async () => {
    await kubectl.ok(['create', 'namespace', 'team']);
    await waitFor('team/default', () => server.client.get(gvr.serviceAccounts, 'team', 'default').then(() => true, () => false), 30_000);
    const cm = await waitFor('team/kube-root-ca.crt', () => server.client.get<ConfigMap>(gvr.configMaps, 'team', 'kube-root-ca.crt').catch(() => undefined), 30_000);
    expect(cm.data).toEqual({ 'ca.crt': readFileSync(join(server.dataDir, 'pki', 'ca.crt'), 'utf8') });
    // Deleted, both come back.
    await kubectl.ok(['delete', 'serviceaccount', 'default', '-n', 'team']);
    await kubectl.ok(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'team']);
    await waitFor('team/default again', () => server.client.get(gvr.serviceAccounts, 'team', 'default').then(() => true, () => false), 30_000);
    await waitFor('team/kube-root-ca.crt again', () => server.client.get(gvr.configMaps, 'team', 'kube-root-ca.crt').then(() => true, () => false), 30_000);
  });

  it('kubectl create token gives a JWT of the service account, which authenticates as it', async () => {
    const token = (await kubectl.ok(['create', 'token', 'default'])).trim();
    const claims = claimsOf(token);
    const sa = await server.client.get(gvr.serviceAccounts, 'default', 'default');
    expect(claims).toMatchObject({
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: 'system:serviceaccount:default:default',
      aud: ['https://kubernetes.default.svc.cluster.local'],
      'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'default', uid: sa.metadata!.uid } },
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    // Authenticated (not 401); what it may do is RBAC's business.
    const r = await asToken(token);
    expect(r.stderr).not.toMatch(/Unauthorized|logged in/);
    expect(r.stderr).toMatch(/User "system:serviceaccount:default:default" cannot list resource "pods"/);
    // A TokenReview tells who the token is.
    const review = JSON.parse(await kubectl.ok(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) }));
    expect(review.status).toEqual({
      authenticated: true,
      user: { username: 'system:serviceaccount:default:default', uid: sa.metadata!.uid, groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] },
    });
    expect(JSON.parse(await kubectl.ok(['auth', 'whoami', '-o', 'json'])).status.userInfo.username).toBe('kubelab-admin');
  });

  it('honours --duration and --audience, and refuses less than 10 minutes or a missing ServiceAccount', async () => {
    const claims = claimsOf((await kubectl.ok(['create', 'token', 'default', '--duration', '2h', '--audience', 'vault'])).trim());
    expect(claims.aud).toEqual(['vault']);
    expect((claims.exp as number) - (claims.iat as number)).toBe(7200);
    const short = await kubectl.run(['create', 'token', 'default', '--duration', '5m']);
    expect(short.code).not.toBe(0);
    expect(lastLine(short.stderr)).toBe('error: failed to create token: TokenRequest.authentication.k8s.io "default" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
    const missing = await kubectl.run(['create', 'token', 'nobody']);
    expect(lastLine(missing.stderr)).toBe('error: failed to create token: serviceaccounts "nobody" not found');
    // For another audience: not a credential for this API.
    expect((await asToken((await kubectl.ok(['create', 'token', 'default', '--audience', 'vault'])).trim())).stderr).toMatch(/Unauthorized/);
  });

  it('a token bound to a pod names it and stops working when the pod is deleted', async () => {
    await kubectl.ok(['run', 'holder', '--image', 'busybox', '--restart', 'Never']);
    const pod = await server.client.get<Pod>(gvr.pods, 'default', 'holder');
    const token = (await kubectl.ok(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder'])).trim();
    expect(claimsOf(token)['kubernetes.io']).toMatchObject({ pod: { name: 'holder', uid: pod.metadata!.uid } });
    expect((await asToken(token)).stderr).toMatch(/cannot list resource "pods"/);
    const wrongUID = await kubectl.run(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder', '--bound-object-uid', 'not-it']);
    expect(lastLine(wrongUID.stderr)).toMatch(/the UID in the bound object reference \(not-it\) does not match the UID in record/);
    await kubectl.ok(['delete', 'pod', 'holder', '--grace-period', '0', '--force']);
    await waitFor('holder gone', () => server.client.get(gvr.pods, 'default', 'holder').then(() => false, () => true));
    expect((await asToken(token)).stderr).toMatch(/Unauthorized/);
  });

  it('forged, foreign-key and expired tokens get 401', async () => {
    const token = (await kubectl.ok(['create', 'token', 'default'])).trim();
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claimsOf(token), sub: 'system:serviceaccount:kube-system:default' })).toString('base64url');
    expect((await asToken(`${h}.${forged}.${s}`)).stderr).toMatch(/Unauthorized/);
    const sa = await server.client.get(gvr.serviceAccounts, 'default', 'default');
    const subject = { namespace: 'default', serviceAccount: { name: 'default', uid: sa.metadata!.uid! } };
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const foreign = new ServiceAccountTokenIssuer({ privateKey: other.privateKey, kid: 'x' }, Date.now).issue(subject, ['https://kubernetes.default.svc.cluster.local'], 3600);
    expect((await asToken(foreign.token)).stderr).toMatch(/Unauthorized/);
    // Signed with the cluster's own key, two hours ago, for one hour.
    const key = ensureServiceAccountKey(join(server.dataDir, 'pki'));
    const expired = new ServiceAccountTokenIssuer(key, () => Date.now() - 2 * 3600_000).issue(subject, ['https://kubernetes.default.svc.cluster.local'], 3600);
    expect((await asToken(expired.token)).stderr).toMatch(/Unauthorized/);
    const fresh = new ServiceAccountTokenIssuer(key, Date.now).issue(subject, ['https://kubernetes.default.svc.cluster.local'], 3600);
    expect((await asToken(fresh.token)).stderr).toMatch(/cannot list resource "pods"/);
  });

  it('a pod created through the API gets the kube-api-access volume in every container, unless it opts out', async () => {
    const manifest = (name: string, automount?: boolean) => JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { ...(automount === undefined ? {} : { automountServiceAccountToken: automount }), initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] },
    });
    await kubectl.ok(['apply', '-f', '-'], { input: manifest('mounted') });
    const pod = JSON.parse(await kubectl.ok(['get', 'pod', 'mounted', '-o', 'json'])) as Pod;
    expect(pod.spec!.serviceAccountName).toBe('default');
    const volume = pod.spec!.volumes!.find((v) => v.name.startsWith('kube-api-access-'))!;
    expect(volume.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(volume.projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    for (const c of [...pod.spec!.initContainers!, ...pod.spec!.containers]) {
      expect(c.volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    }
    await kubectl.ok(['apply', '-f', '-'], { input: manifest('unmounted', false) });
    const plain = JSON.parse(await kubectl.ok(['get', 'pod', 'unmounted', '-o', 'json'])) as Pod;
    expect(plain.spec!.volumes).toBeUndefined();
    expect(plain.spec!.containers[0].volumeMounts).toBeUndefined();
  });
});
