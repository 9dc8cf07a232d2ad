// Every manifest of the upstream documentation examples (../shared/k8s-examples) applies unchanged
// with kubectl 1.35 and reads back with upstream's defaults filled in. Files that name no
// namespace each go to a namespace of their own, because the docs reuse names across files
// (successive versions of one nginx-deployment) and, as upstream, a changed selector would be
// refused as immutable. Manifests of APIs upstream removed must get upstream's answer instead.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { Kubectl, REPO_ROOT, type KubectlResult } from './harness/kubectl.ts';
import { KubelabServer } from './harness/server.ts';

const EXAMPLES = join(REPO_ROOT, '../shared/k8s-examples');
/** API versions upstream stopped serving; their manifests must fail as on a real 1.3x cluster. */
const REMOVED = new Set(['batch/v1beta1', 'extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2', 'policy/v1beta1']);
const BUILT_IN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

interface Manifest {
  file: string;
  docs: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[];
  /** Where it is applied when no document names a namespace. */
  namespace?: string;
}

function findYaml(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findYaml(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

function loadManifests(): Manifest[] {
  return findYaml(EXAMPLES).map((file, i) => {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJSON() as Manifest['docs'][number] | null)
      .filter((d): d is Manifest['docs'][number] => !!d);
    const namesNamespace = docs.some((d) => d.metadata.namespace);
    return { file, docs, namespace: namesNamespace ? undefined : `example-${i}` };
  });
}

const show = (r: KubectlResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** Runs fn over items with at most `n` at a time (kubectl is CPU-heavy on start). */
async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

describe('upstream example manifests with kubectl 1.35', () => {
  const manifests = loadManifests();
  let server: KubelabServer;
  let kubectl: Kubectl;
  const applied = new Map<string, KubectlResult>();

  beforeAll(async () => {
    server = await KubelabServer.start();
    kubectl = new Kubectl('1.35', server.kubeconfigPath);
    // Namespaces first: those the examples name but do not create, plus one per file without.
    const created = new Set(manifests.flatMap((m) => m.docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name)));
    const needed = new Set<string>();
    for (const m of manifests) {
      if (m.namespace) needed.add(m.namespace);
      for (const d of m.docs) {
        const ns = d.metadata.namespace;
        if (ns && !created.has(ns) && !BUILT_IN_NAMESPACES.has(ns)) needed.add(ns);
      }
    }
    const nsList = [...needed].map((n) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${n}\n`).join('---\n');
    await kubectl.ok(['apply', '-f', '-'], { input: nsList });
    // Files that create namespaces go before the files that use them, as the docs order them.
    const first = manifests.filter((m) => m.docs.some((d) => d.kind === 'Namespace'));
    const rest = manifests.filter((m) => !first.includes(m));
    for (const group of [first, rest]) {
      await pool(group, 3, async (m) => {
        const ns = m.namespace ? ['-n', m.namespace] : [];
        applied.set(m.file, await kubectl.run(['apply', ...ns, '-f', m.file, '-o', 'name'], { timeoutMs: 60_000 }));
      });
    }
  }, 240_000);

  afterAll(async () => {
    await kubectl?.cleanup();
    await server?.stop();
  });

  it('found the examples', () => {
    expect(manifests.length).toBeGreaterThan(50);
  });

  it.each(loadManifests().map((m) => [relative(EXAMPLES, m.file), m] as const))('%s applies', (_name, m) => {
    const r = applied.get(m.file);
    expect(r, 'the file was applied').toBeDefined();
    const removed = m.docs.find((d) => REMOVED.has(d.apiVersion));
    if (removed) {
      expect(r!.code, show(r!)).not.toBe(0);
      expect(r!.stderr).toContain(`no matches for kind "${removed.kind}" in version "${removed.apiVersion}"`);
      return;
    }
    expect(r!.code, show(r!)).toBe(0);
    // one line per object: every document was created (or configured) and named back
    expect(r!.stdout.trim().split('\n').length, show(r!)).toBe(m.docs.length);
  });

  const file = (p: string): Manifest => {
    const m = manifests.find((x) => x.file === join(EXAMPLES, p));
    if (!m) throw new Error(`no example ${p}`);
    return m;
  };
  const read = async (kind: string, name: string, m: Manifest): Promise<Record<string, any>> => {
    const ns = m.namespace ?? m.docs.find((d) => d.metadata.name === name)?.metadata.namespace ?? 'default';
    return parse(await kubectl.ok(['get', kind, name, '-n', ns, '-o', 'yaml'])) as Record<string, any>;
  };

  it('a Deployment reads back with its defaulted strategy', async () => {
    const d = await read('deployment', 'nginx-deployment', file('application/deployment.yaml'));
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.template.spec.containers[0].terminationMessagePolicy).toBe('File');
  });

  it('a Service gets a cluster IP from 10.43.0.0/16 and sessionAffinity None', async () => {
    const s = await read('service', 'my-nginx-svc', file('application/nginx/nginx-svc.yaml'));
    expect(s.spec.clusterIP).toMatch(/^10\.43\.\d{1,3}\.\d{1,3}$/);
    expect(s.spec.clusterIPs).toEqual([s.spec.clusterIP]);
    expect(s.spec.sessionAffinity).toBe('None');
    expect(s.spec.ipFamilies).toEqual(['IPv4']);
    const np = await read('service', 'my-nginx', file('service/networking/nginx-secure-app.yaml'));
    expect(np.spec.type).toBe('NodePort');
    for (const p of np.spec.ports as { nodePort: number }[]) {
      expect(p.nodePort).toBeGreaterThanOrEqual(30000);
      expect(p.nodePort).toBeLessThanOrEqual(32767);
    }
    expect(np.spec.externalTrafficPolicy).toBe('Cluster');
  });

  it('a Pod reads back with dnsPolicy, restartPolicy, pull policy and probe defaults', async () => {
    const p = await read('pod', 'liveness-exec', file('pods/probe/exec-liveness.yaml'));
    expect(p.spec.dnsPolicy).toBe('ClusterFirst');
    expect(p.spec.restartPolicy).toBe('Always');
    expect(p.spec.enableServiceLinks).toBe(true);
    expect(p.spec.schedulerName).toBe('default-scheduler');
    const c = p.spec.containers[0];
    expect(c.image).toBe('k8s.gcr.io/busybox');
    expect(c.imagePullPolicy).toBe('Always'); // no tag means :latest
    expect(c.livenessProbe).toMatchObject({ timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    expect(p.status.phase).toBe('Pending');
    // a value the manifest sets is kept, not defaulted over
    const two = await read('pod', 'two-containers', file('pods/two-container-pod.yaml'));
    expect(two.spec.restartPolicy).toBe('Never');
  });

  it('a DaemonSet in kube-system and a Job read back with their defaults', async () => {
    const ds = await read('daemonset', 'fluentd-elasticsearch', file('controllers/daemonset.yaml'));
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    const job = await read('job', 'pi', file('controllers/job.yaml'));
    expect(job.spec.completions).toBe(1);
    expect(job.spec.parallelism).toBe(1);
    expect(job.spec.completionMode).toBe('NonIndexed');
    // the Job's selector is generated from its uid, as upstream does
    expect(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
  });

  it('a Secret written with stringData reads back as base64 data', async () => {
    const s = await read('secret', 'secret-basic-auth', file('secret/basicauth-secret.yaml'));
    expect(s.type).toBe('kubernetes.io/basic-auth');
    expect(s.stringData).toBeUndefined();
    expect(Buffer.from(s.data.username, 'base64').toString()).toBe('admin');
  });
}, 300_000);
