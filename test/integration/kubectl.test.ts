// The real kubectl, three versions, against a real `kubelab serve`: what a user types, and what
// they must see. Each version gets its own server so discovery caches and objects never mix.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { KUBECTL_VERSIONS, Kubectl, REPO_ROOT, type KubectlResult } from './harness/kubectl.ts';
import { RawHttp } from './harness/http.ts';
import { KubelabServer } from './harness/server.ts';

const fixture = (name: string): string => join(REPO_ROOT, 'test/fixtures/kubectl', name);

/** kubectl's full output, for assertion messages. */
const show = (r: KubectlResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

interface Container { name: string; image: string; imagePullPolicy?: string; env?: { name: string }[] }

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  let server: KubelabServer;
  let kubectl: Kubectl;

  beforeAll(async () => {
    server = await KubelabServer.start();
    kubectl = new Kubectl(version, server.kubeconfigPath);
  }, 90_000);

  afterAll(async () => {
    await kubectl?.cleanup();
    await server?.stop();
  });

  const run = (...args: string[]): Promise<KubectlResult> => kubectl.run(args);
  const getYaml = async (...args: string[]): Promise<Record<string, any>> => {
    const r = await run('get', ...args, '-o', 'yaml');
    expect(r.code, show(r)).toBe(0);
    return parse(r.stdout) as Record<string, any>;
  };

  it('apply -f creates a Deployment and a Service', async () => {
    const r = await run('apply', '-f', fixture('web.yaml'));
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/deployment\.apps\/web created/);
    expect(r.stdout).toMatch(/service\/web created/);
  });

  it('get -o yaml shows the object with upstream defaults', async () => {
    const d = await getYaml('deployment', 'web');
    expect(d.apiVersion).toBe('apps/v1');
    expect(d.kind).toBe('Deployment');
    expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(d.metadata.generation).toBe(1);
    expect(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"REMOVE_ME"');
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    const pod = d.spec.template.spec;
    expect(pod.restartPolicy).toBe('Always');
    expect(pod.dnsPolicy).toBe('ClusterFirst');
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.schedulerName).toBe('default-scheduler');
    expect(pod.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pod.containers[0].terminationMessagePath).toBe('/dev/termination-log');
    expect(pod.containers[0].ports[0].protocol).toBe('TCP');
    const svc = await getYaml('service', 'web');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.sessionAffinity).toBe('None');
    expect(svc.spec.clusterIP).toMatch(/^10\.43\.\d+\.\d+$/);
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: 80, protocol: 'TCP' });
  });

  it('get -o wide prints the upstream columns', async () => {
    const d = await run('get', 'deployment', 'web', '-o', 'wide');
    expect(d.code, show(d)).toBe(0);
    expect(d.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\s*$/m);
    // UP-TO-DATE turns 1 once the Deployment controller has made its ReplicaSet
    expect(d.stdout).toMatch(/^web\s+0\/1\s+[01]\s+0\s+\S+\s+web\s+nginx:1\.25\s+app=web\s*$/m);
    const s = await run('get', 'service', 'web', '-o', 'wide');
    expect(s.code, show(s)).toBe(0);
    expect(s.stdout).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR\s*$/m);
    expect(s.stdout).toMatch(/^web\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+\s+app=web\s*$/m);
  });

  it('apply again updates the image and removes the deleted env var', async () => {
    const r = await run('apply', '-f', fixture('web-v2.yaml'));
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/deployment\.apps\/web configured/);
    expect(r.stdout).toMatch(/service\/web unchanged/);
    const d = await getYaml('deployment', 'web');
    const c = d.spec.template.spec.containers as Container[];
    expect(c).toHaveLength(1);
    expect(c[0].image).toBe('nginx:1.27');
    expect(c[0].env?.map((e) => e.name)).toEqual(['KEEP']);
    expect(d.metadata.generation).toBe(2);
  });

  it('get -w sees a change made while it watches', async () => {
    const watch = kubectl.start(['get', 'deployments', '-w']);
    try {
      await watch.waitFor(/^web\s+0\/1\b/m);
      const r = await run('scale', 'deployment', 'web', '--replicas=2');
      expect(r.code, show(r)).toBe(0);
      await watch.waitFor(/^web\s+0\/2\b/m);
    } finally {
      await watch.kill();
    }
  });

  it('scale --replicas=3 changes spec.replicas', async () => {
    const r = await run('scale', 'deployment', 'web', '--replicas=3');
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/deployment\.apps\/web scaled/);
    const g = await run('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}');
    expect(g.stdout).toBe('3');
  });

  it('api-resources lists the built-in kinds with short names and groups', async () => {
    const r = await run('api-resources');
    expect(r.code, show(r)).toBe(0);
    const row = (name: string, short: string, gv: string, namespaced: boolean, kind: string): RegExp =>
      new RegExp(`^${name}\\s+${short}\\s+${gv.replace('/', '\\/')}\\s+${namespaced}\\s+${kind}\\s*$`, 'm');
    expect(r.stdout).toMatch(row('pods', 'po', 'v1', true, 'Pod'));
    expect(r.stdout).toMatch(row('services', 'svc', 'v1', true, 'Service'));
    expect(r.stdout).toMatch(row('configmaps', 'cm', 'v1', true, 'ConfigMap'));
    expect(r.stdout).toMatch(row('namespaces', 'ns', 'v1', false, 'Namespace'));
    expect(r.stdout).toMatch(row('deployments', 'deploy', 'apps/v1', true, 'Deployment'));
    expect(r.stdout).toMatch(row('horizontalpodautoscalers', 'hpa', 'autoscaling/v2', true, 'HorizontalPodAutoscaler'));
    expect(r.stdout).toMatch(row('cronjobs', 'cj', 'batch/v1', true, 'CronJob'));
    expect(r.stdout).toMatch(/^clusterroles\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRole\s*$/m);
  });

  it('explain deployment.spec prints the field documentation', async () => {
    const r = await run('explain', 'deployment.spec');
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/KIND:\s+Deployment/);
    expect(r.stdout).toMatch(/VERSION:\s+(apps\/)?v1/);
    expect(r.stdout).toMatch(/DeploymentSpec is the specification of the desired behavior of the\s+Deployment/);
    for (const field of ['replicas', 'selector', 'template', 'strategy', 'revisionHistoryLimit']) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${field}\\s`, 'm'));
    }
  });

  it('an invalid manifest is refused with the field path', async () => {
    const r = await run('apply', '-f', fixture('invalid-deployment.yaml'));
    expect(r.code, show(r)).not.toBe(0);
    expect(r.stderr).toContain('spec.template.spec.containers[0].image: Required value');
    const g = await run('get', 'deployment', 'broken');
    expect(g.code).not.toBe(0);
    expect(g.stderr).toMatch(/NotFound/);
  });

  it('a removed API version gets "no matches for kind"', async () => {
    const r = await run('apply', '-f', fixture('cronjob-v1beta1.yaml'));
    expect(r.code, show(r)).not.toBe(0);
    expect(r.stderr).toMatch(/no matches for kind "CronJob" in version "batch\/v1beta1"/);
  });

  it('without a valid token kubectl is refused', async () => {
    const cfg = parse(server.kubeconfigText) as { users: { user: Record<string, unknown> }[] };
    for (const u of cfg.users) u.user.token = 'not-the-admin-token';
    const wrong = new Kubectl(version, server.writeKubeconfig(`wrong-token-${version}.yaml`, stringify(cfg)));
    for (const u of cfg.users) delete u.user.token;
    const none = new Kubectl(version, server.writeKubeconfig(`no-token-${version}.yaml`, stringify(cfg)));
    try {
      const r = await wrong.run(['get', 'pods']);
      expect(r.code, show(r)).not.toBe(0);
      expect(r.stderr).toMatch(/must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)/);
      // With no credentials at all kubectl (as against kube-apiserver) first asks for a username;
      // with stdin closed that fails. The server's own answer to a token-less request is 401.
      const n = await none.run(['get', 'pods']);
      expect(n.code, show(n)).not.toBe(0);
      const raw = new RawHttp(server.url, server.kubeconfigText);
      try {
        const a = await raw.request({ method: 'GET', path: '/api/v1/namespaces/default/pods', auth: 'none' });
        expect(a.status).toBe(401);
        expect(JSON.parse(a.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
      } finally {
        raw.close();
      }
    } finally {
      await wrong.cleanup();
      await none.cleanup();
    }
  });

  it('get pods -A, -o wide and --show-labels', async () => {
    const a = await run('apply', '-f', fixture('pod.yaml'));
    expect(a.code, show(a)).toBe(0);
    const all = await run('get', 'pods', '-A');
    expect(all.code, show(all)).toBe(0);
    expect(all.stdout).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s*$/m);
    expect(all.stdout).toMatch(/^team-a\s+lone\s+0\/1\s+Pending\s+0\s+\S+\s*$/m);
    const wide = await run('get', 'pods', '-n', 'team-a', '-o', 'wide');
    expect(wide.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\s*$/m);
    const labels = await run('get', 'pods', '-n', 'team-a', '--show-labels');
    expect(labels.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS\s*$/m);
    expect(labels.stdout).toMatch(/^lone\s.*\bapp=lone,tier=backend\s*$/m);
    const sel = await run('get', 'pods', '-A', '-l', 'tier in (backend,frontend)', '-o', 'name');
    expect(sel.stdout.trim()).toBe('pod/lone');
  });

  it('apply --server-side, then a conflicting manager is refused until it forces', async () => {
    const first = await run('apply', '--server-side', '-f', fixture('ssa-configmap.yaml'));
    expect(first.code, show(first)).toBe(0);
    expect(first.stdout).toMatch(/configmap\/settings serverside-applied/);
    // 1.20 shows managedFields by default; --show-managed-fields came (and hid them) in 1.21
    const cm = await getYaml('configmap', 'settings', ...(version === '1.20' ? [] : ['--show-managed-fields']));
    expect(cm.data).toEqual({ color: 'blue', size: 'large' });
    const mf = cm.metadata.managedFields as { manager: string; operation: string; fieldsV1: Record<string, any> }[];
    expect(mf.some((f) => f.operation === 'Apply' && f.fieldsV1['f:data']?.['f:color'] !== undefined)).toBe(true);

    const clash = await run('apply', '--server-side', '--field-manager=other', '-f', fixture('ssa-configmap-other.yaml'));
    expect(clash.code, show(clash)).not.toBe(0);
    expect(clash.stderr).toMatch(/conflict/i);
    expect(clash.stderr).toContain('.data.color');
    expect((await getYaml('configmap', 'settings')).data.color).toBe('blue');

    const forced = await run('apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', fixture('ssa-configmap-other.yaml'));
    expect(forced.code, show(forced)).toBe(0);
    expect((await getYaml('configmap', 'settings')).data).toEqual({ color: 'red', size: 'large' });
  });

  it('delete removes the objects', async () => {
    const r = await run('delete', '-f', fixture('web.yaml'));
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/deployment\.apps "web" deleted/);
    expect(r.stdout).toMatch(/service "web" deleted/);
    const g = await run('get', 'deployment', 'web');
    expect(g.code).not.toBe(0);
    expect(g.stderr).toMatch(/NotFound.*deployments\.apps "web" not found/);
  });

}, 240_000);
