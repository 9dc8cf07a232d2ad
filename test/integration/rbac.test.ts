// RBAC against a real `kubelab serve` and kubectl 1.35: a teammate's kubeconfig from `kubelab
// kubeconfig --user alice --role view --namespace team` (a client certificate the cluster CA
// signed) reads pods but gets upstream's 403 for writing them and for secrets; `kubectl auth
// can-i` and `can-i --list` answer as upstream's default roles would; bindings and aggregated
// roles take effect while the server runs; the default roles are reconciled on restart.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { ApiError } from '../../src-main/client/api-error.ts';
import { KubeClient } from '../../src-main/client/kube-client.ts';
import { Kubectl, REPO_ROOT, type KubectlResult } from './harness/kubectl.ts';
import { KubelabServer } from './harness/server.ts';
import { waitFor } from './harness/cluster.ts';

const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
const show = (r: KubectlResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

function kubelab(args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// What upstream's bootstrap policy gives a user bound to view in a namespace, written from
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy: system:aggregate-to-view's rules (view's
// aggregate), and the cluster-wide system:basic-user, system:discovery and
// system:public-info-viewer every authenticated user has. Kubelab serves metrics.k8s.io, so its
// view also has metrics-server's system:aggregated-metrics-reader.
const upstreamViewUserRules = `
- {apiGroups: [""], resources: [configmaps, endpoints, persistentvolumeclaims, persistentvolumeclaims/status, pods, replicationcontrollers, replicationcontrollers/scale, serviceaccounts, services, services/status], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [bindings, events, limitranges, namespaces/status, pods/log, pods/status, replicationcontrollers/status, resourcequotas, resourcequotas/status], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [namespaces], verbs: [get, list, watch]}
- {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch]}
- {apiGroups: [apps], resources: [controllerrevisions, daemonsets, daemonsets/status, deployments, deployments/scale, deployments/status, replicasets, replicasets/scale, replicasets/status, statefulsets, statefulsets/scale, statefulsets/status], verbs: [get, list, watch]}
- {apiGroups: [autoscaling], resources: [horizontalpodautoscalers, horizontalpodautoscalers/status], verbs: [get, list, watch]}
- {apiGroups: [batch], resources: [cronjobs, cronjobs/status, jobs, jobs/status], verbs: [get, list, watch]}
- {apiGroups: [extensions], resources: [daemonsets, daemonsets/status, deployments, deployments/scale, deployments/status, ingresses, ingresses/status, networkpolicies, replicasets, replicasets/scale, replicasets/status, replicationcontrollers/scale], verbs: [get, list, watch]}
- {apiGroups: [policy], resources: [poddisruptionbudgets, poddisruptionbudgets/status], verbs: [get, list, watch]}
- {apiGroups: [networking.k8s.io], resources: [ingresses, ingresses/status, networkpolicies], verbs: [get, list, watch]}
- {apiGroups: [metrics.k8s.io], resources: [nodes, pods], verbs: [get, list, watch]}
- {apiGroups: [authorization.k8s.io], resources: [selfsubjectaccessreviews, selfsubjectrulesreviews], verbs: [create]}
- {apiGroups: [authentication.k8s.io], resources: [selfsubjectreviews], verbs: [create]}
- {nonResourceURLs: [/api, /api/*, /apis, /apis/*, /healthz, /livez, /openapi, /openapi/*, /readyz, /version, /version/], verbs: [get]}
- {nonResourceURLs: [/healthz, /livez, /readyz, /version, /version/], verbs: [get]}
`;

/** kubectl's `resource.group/subresource` (describe.CombineResourceGroup). */
function combined(resource: string, group: string): string {
  const [base, sub] = resource.split('/');
  return `${base}${group ? `.${group}` : ''}${sub ? `/${sub}` : ''}`;
}

/** Each resource or URL with its verbs, as can-i --list breaks rules down and compacts them. */
function breakDown(rules: PolicyRule[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (key: string, verbs: string[]) => {
    const set = out.get(key) ?? new Set<string>();
    verbs.forEach((v) => set.add(v));
    out.set(key, set);
  };
  for (const r of rules) {
    for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) add(`${combined(res, g)} []`, r.verbs);
    for (const u of r.nonResourceURLs ?? []) add(`[${u}]`, r.verbs);
  }
  return out;
}

/** The table `kubectl auth can-i --list` prints, parsed the same way. */
function parseCanIList(stdout: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of stdout.split('\n').slice(1)) {
    const m = /^(\S*)\s+\[([^\]]*)\]\s+\[([^\]]*)\]\s+\[([^\]]*)\]\s*$/.exec(line);
    if (!m) continue;
    const [, resource, urls, names, verbs] = m;
    const key = resource ? `${resource} [${names}]` : `[${urls}]`;
    const set = out.get(key) ?? new Set<string>();
    verbs.split(' ').filter(Boolean).forEach((v) => set.add(v));
    out.set(key, set);
  }
  return out;
}

const sorted = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]).sort(([a], [b]) => (a < b ? -1 : 1)));

describe('RBAC with kubectl 1.35', () => {
  let dir: string;
  let server: KubelabServer;
  let admin: Kubectl;
  let alice: Kubectl;
  let aliceConfig: string;

  const startServer = async () => {
    server = await KubelabServer.start({ dataDir: join(dir, 'data') });
    admin = new Kubectl('1.35', server.kubeconfigPath);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelab-rbac-'));
    await startServer();
    await admin.ok(['create', 'namespace', 'team']);
    await admin.ok(['-n', 'team', 'create', 'secret', 'generic', 's1', '--from-literal=k=v']);
    await admin.ok(['-n', 'team', 'run', 'web', '--image=nginx']);
    const made = await kubelab(['kubeconfig', '--data-dir', join(dir, 'data'), '--user', 'alice', '--role', 'view', '--namespace', 'team']);
    expect(made.code, show(made)).toBe(0);
    aliceConfig = made.stdout;
    const path = join(dir, 'alice.kubeconfig');
    writeFileSync(path, aliceConfig, { mode: 0o600 });
    alice = new Kubectl('1.35', path);
  }, 120_000);

  afterAll(async () => {
    await alice?.cleanup();
    await admin?.cleanup();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives a teammate a kubeconfig with a client certificate, and refuses bad requests for one', async () => {
    const cfg = parse(aliceConfig) as { users: { name: string; user: Record<string, string> }[]; contexts: { context: { namespace?: string } }[] };
    expect(cfg.users.map((u) => [u.name, Object.keys(u.user).sort()])).toEqual([['alice', ['client-certificate-data', 'client-key-data']]]);
    expect(cfg.contexts[0].context.namespace).toBe('team');
    const bad = await kubelab(['kubeconfig', '--data-dir', join(dir, 'data'), '--user', 'a,O=system:masters']);
    expect([bad.code, bad.stderr.trim()]).toEqual([1, expect.stringContaining('--user "a,O=system:masters" must be 1-64 letters')]);
    const noRole = await kubelab(['kubeconfig', '--data-dir', join(dir, 'data'), '--user', 'bob', '--role', 'no-such-role']);
    expect(noRole.code, show(noRole)).toBe(1);
    expect(noRole.stderr).toContain('the cluster has no ClusterRole "no-such-role"');
    expect(await admin.ok(['get', 'clusterrolebindings,rolebindings', '-A', '-o', 'name'])).not.toContain('bob');
  });

  it('lets a user bound to view list pods but not create them or read secrets, with upstream\'s 403', async () => {
    const pods = await alice.run(['get', 'pods', '-n', 'team']);
    expect(pods.code, show(pods)).toBe(0);
    expect(pods.stdout).toMatch(/^web\s/m);
    const expectForbidden = async (args: string[], message: string) => {
      const r = await alice.run(args);
      expect(r.code, show(r)).toBe(1);
      expect(r.stderr).toContain(`(Forbidden): ${message}`);
    };
    await expectForbidden(['-n', 'team', 'run', 'x', '--image=nginx'], 'pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "team"');
    await expectForbidden(['-n', 'team', 'get', 'secrets'], 'secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "team"');
    await expectForbidden(['-n', 'team', 'get', 'secret', 's1'], 'secrets "s1" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "team"');
    await expectForbidden(['-n', 'default', 'get', 'pods'], 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
    // A namespace is inside itself: view in team reads the namespace team, and only that one.
    expect((await alice.run(['get', 'namespace', 'team'])).code).toBe(0);
    await expectForbidden(['get', 'namespace', 'default'], 'namespaces "default" is forbidden: User "alice" cannot get resource "namespaces" in API group "" in the namespace "default"');
    await expectForbidden(['get', 'nodes'], 'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');

    const client = KubeClient.fromKubeconfig(aliceConfig);
    try {
      const err = await client.get({ group: '', version: 'v1', resource: 'secrets' }, 'team', 's1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).body).toMatchObject({ code: 403, reason: 'Forbidden', details: { name: 's1', group: '', kind: 'secrets' } });
      // /healthz is public; its checks one by one are system:monitoring's.
      const raw = await client.request('GET', '/healthz/etcd').catch((e: unknown) => e);
      expect([(raw as ApiError).status, (raw as ApiError).message]).toEqual([403, 'forbidden: User "alice" cannot get path "/healthz/etcd"']);
    } finally {
      client.close();
    }
  });

  it('answers kubectl auth can-i --list as upstream\'s default view role', async () => {
    const r = await alice.run(['auth', 'can-i', '--list', '-n', 'team']);
    expect(r.code, show(r)).toBe(0);
    expect(r.stderr).toBe('');
    expect(sorted(parseCanIList(r.stdout))).toEqual(sorted(breakDown(parse(upstreamViewUserRules) as PolicyRule[])));
    // Outside the namespace only the cluster-wide defaults remain.
    const other = await alice.run(['auth', 'can-i', '--list', '-n', 'default']);
    expect(Object.keys(sorted(parseCanIList(other.stdout))).filter((k) => k.startsWith('pods'))).toEqual([]);
    const all = await admin.run(['auth', 'can-i', '--list', '-n', 'team']);
    expect(all.stdout).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/m);
  });

  it('answers kubectl auth can-i for resources, subresources and non-resource URLs', async () => {
    const canI = async (k: Kubectl, ...args: string[]) => {
      const r = await k.run(['auth', 'can-i', ...args]);
      return `${r.stdout.trim()} ${r.code}`;
    };
    expect(await canI(alice, 'list', 'pods', '-n', 'team')).toBe('yes 0');
    expect(await canI(alice, 'create', 'pods', '-n', 'team')).toBe('no 1');
    expect(await canI(alice, 'get', 'pods', '--subresource=log', '-n', 'team')).toBe('yes 0');
    expect(await canI(alice, 'create', 'pods', '--subresource=exec', '-n', 'team')).toBe('no 1');
    expect(await canI(alice, 'get', 'secrets', '-n', 'team')).toBe('no 1');
    expect(await canI(alice, 'list', 'pods', '-n', 'default')).toBe('no 1');
    expect(await canI(alice, 'get', '/api')).toBe('yes 0');
    expect(await canI(alice, 'get', '/healthz')).toBe('yes 0');
    expect(await canI(alice, 'get', '/logs')).toBe('no 1');
    expect(await canI(admin, '*', '*')).toBe('yes 0');
    // Impersonation: the admin may act as alice; alice may not act as anyone.
    expect(await canI(admin, 'list', 'pods', '-n', 'team', '--as', 'alice')).toBe('yes 0');
    expect(await canI(admin, 'get', 'secrets', '-n', 'team', '--as', 'alice')).toBe('no 1');
    expect(await canI(admin, 'list', 'pods', '-n', 'team', '--as', 'system:serviceaccount:team:default')).toBe('no 1');
    const asBob = await alice.run(['get', 'pods', '-n', 'team', '--as', 'bob']);
    expect(asBob.code, show(asBob)).toBe(1);
    expect(asBob.stderr).toContain('(Forbidden): users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
  });

  it('applies a binding as soon as it is made, and stops applying it once deleted', async () => {
    const canI = async (...args: string[]) => (await alice.run(['auth', 'can-i', ...args])).stdout.trim();
    await admin.ok(['-n', 'team', 'create', 'rolebinding', 'alice-edit', '--clusterrole=edit', '--user=alice']);
    await waitFor('alice may create pods', async () => (await canI('create', 'pods', '-n', 'team')) === 'yes');
    const made = await alice.run(['-n', 'team', 'run', 'x', '--image=nginx']);
    expect(made.code, show(made)).toBe(0);
    expect(await alice.ok(['-n', 'team', 'get', 'secret', 's1', '-o', 'jsonpath={.data.k}'])).toBe('dg==');

    await admin.ok(['create', 'clusterrole', 'logs-reader', '--verb=get', '--non-resource-url=/logs/*']);
    await admin.ok(['create', 'clusterrolebinding', 'alice-logs', '--clusterrole=logs-reader', '--user=alice']);
    await waitFor('alice may read /logs/app', async () => (await canI('get', '/logs/app')) === 'yes');
    expect(await canI('get', '/logs')).toBe('no');
    expect(await canI('get', '/logsx')).toBe('no');

    await admin.ok(['-n', 'team', 'delete', 'rolebinding', 'alice-edit']);
    await waitFor('alice may no longer create pods', async () => (await canI('create', 'pods', '-n', 'team')) === 'no');
    expect((await alice.run(['-n', 'team', 'get', 'secret', 's1'])).code).toBe(1);
  });

  it('lets a namespace admin grant only what they hold', async () => {
    await admin.ok(['-n', 'team', 'create', 'rolebinding', 'alice-admin', '--clusterrole=admin', '--user=alice']);
    await waitFor('alice may create rolebindings', async () => (await alice.run(['auth', 'can-i', 'create', 'rolebindings', '-n', 'team'])).stdout.trim() === 'yes');
    const ok = await alice.run(['-n', 'team', 'create', 'rolebinding', 'bob-view', '--clusterrole=view', '--user=bob']);
    expect(ok.code, show(ok)).toBe(0);
    const refused = await alice.run(['-n', 'team', 'create', 'rolebinding', 'alice-root', '--clusterrole=cluster-admin', '--user=alice']);
    expect(refused.code, show(refused)).toBe(1);
    expect(refused.stderr).toContain(
      'rolebindings.rbac.authorization.k8s.io "alice-root" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    );
    expect((await alice.run(['-n', 'team', 'create', 'role', 'secret-reader', '--verb=get', '--resource=secrets'])).code).toBe(0);
    const nodes = await alice.run(['-n', 'team', 'create', 'role', 'node-reader', '--verb=get', '--resource=nodes']);
    expect(nodes.stderr).toContain('roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}');
    expect(await admin.ok(['-n', 'team', 'get', 'rolebindings,roles', '-o', 'name'])).not.toMatch(/alice-root|node-reader/);
    await admin.ok(['-n', 'team', 'delete', 'rolebinding', 'alice-admin', 'bob-view']);
    await waitFor('alice may no longer create rolebindings', async () => (await alice.run(['auth', 'can-i', 'create', 'rolebindings', '-n', 'team'])).stdout.trim() === 'no');
  });

  it('aggregates a new ClusterRole labelled aggregate-to-view into view, edit and admin', async () => {
    // Leases are served and not in view: can-i asks about them by their discovered group.
    const canListLeases = async () => (await alice.run(['auth', 'can-i', 'list', 'leases.coordination.k8s.io', '-n', 'team'])).stdout.trim();
    expect(await canListLeases()).toBe('no');
    const rule = { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list'] };
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'leases-viewer', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [rule] };
    await admin.ok(['apply', '-f', '-'], { input: JSON.stringify(role) });
    const rulesOf = async (name: string) => (JSON.parse(await admin.ok(['get', 'clusterrole', name, '-o', 'json'])) as { rules?: PolicyRule[] }).rules ?? [];
    for (const name of ['view', 'edit', 'admin']) {
      await waitFor(`${name} to include the leases rule`, async () => (await rulesOf(name)).some((r) => JSON.stringify(r) === JSON.stringify(rule)));
    }
    expect(await canListLeases()).toBe('yes');
    await admin.ok(['label', 'clusterrole', 'leases-viewer', 'rbac.authorization.k8s.io/aggregate-to-view-']);
    await waitFor('view to drop the leases rule', async () => !(await rulesOf('view')).some((r) => JSON.stringify(r) === JSON.stringify(rule)));
    expect(await canListLeases()).toBe('no');
  });

  it('answers SubjectAccessReview and LocalSubjectAccessReview for the admin, and checks them', async () => {
    const sar = (spec: object, path = '/apis/authorization.k8s.io/v1/subjectaccessreviews', kind = 'SubjectAccessReview') =>
      server.client.request<{ status: { allowed: boolean; denied?: boolean; reason?: string } }>('POST', path, { apiVersion: 'authorization.k8s.io/v1', kind, spec });
    const listPods = { user: 'alice', resourceAttributes: { namespace: 'team', verb: 'list', resource: 'pods' } };
    expect((await sar(listPods)).status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "kubelab-user:alice:view/team" of ClusterRole "view" to User "alice"' });
    expect((await sar({ user: 'alice', resourceAttributes: { namespace: 'team', verb: 'get', resource: 'secrets' } })).status).toEqual({ allowed: false });
    expect((await sar({ groups: ['system:masters'], nonResourceAttributes: { path: '/anything', verb: 'get' } })).status.allowed).toBe(true);
    const local = '/apis/authorization.k8s.io/v1/namespaces/team/localsubjectaccessreviews';
    expect((await sar(listPods, local, 'LocalSubjectAccessReview')).status.allowed).toBe(true);

    const fails = async (p: Promise<unknown>) => {
      const e = (await p.catch((err: unknown) => err)) as ApiError;
      return [e.status, e.message];
    };
    expect(await fails(sar({ resourceAttributes: { verb: 'get', resource: 'pods' } }))).toEqual([
      422,
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    ]);
    expect(await fails(sar({ user: 'alice' }))).toEqual([
      422,
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    ]);
    expect(await fails(sar({ user: 'alice', resourceAttributes: { namespace: 'other', verb: 'get', resource: 'pods' } }, local, 'LocalSubjectAccessReview'))).toEqual([
      400,
      'spec.resourceAttributes.namespace must match namespace: team',
    ]);
    expect(await fails(server.client.request('GET', '/apis/authorization.k8s.io/v1/subjectaccessreviews'))).toEqual([405, 'the server does not allow this method on the requested resource']);

    const client = KubeClient.fromKubeconfig(aliceConfig);
    try {
      expect(await fails(client.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: listPods }))).toEqual([
        403,
        'subjectaccessreviews.authorization.k8s.io is forbidden: User "alice" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope',
      ]);
    } finally {
      client.close();
    }
  });

  it('recreates deleted default roles and bindings on restart, and leaves those marked autoupdate "false"', async () => {
    await admin.ok(['delete', 'clusterrole', 'system:basic-user']);
    await admin.ok(['delete', 'clusterrolebinding', 'system:public-info-viewer']);
    const mine = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:discovery', annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } }, rules: [{ nonResourceURLs: ['/api'], verbs: ['get'] }] };
    await admin.ok(['replace', '-f', '-'], { input: JSON.stringify(mine) });
    await admin.cleanup();
    await server.stop();
    await startServer();
    const get = async (what: string) => JSON.parse(await admin.ok(['get', what, '-o', 'json'])) as { rules?: PolicyRule[]; subjects?: { name: string }[] };
    expect((await get('clusterrole/system:basic-user')).rules?.flatMap((r) => r.resources)).toEqual(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews']);
    expect((await get('clusterrolebinding/system:public-info-viewer')).subjects?.map((s) => s.name)).toEqual(['system:authenticated', 'system:unauthenticated']);
    expect((await get('clusterrole/system:discovery')).rules).toEqual(mine.rules);
    // The user's own edit stands: /apis is no longer discoverable.
    const review = await server.client.request<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'alice', groups: ['system:authenticated'], nonResourceAttributes: { path: '/apis', verb: 'get' } },
    });
    expect(review.status.allowed).toBe(false);
  }, 120_000);
});
