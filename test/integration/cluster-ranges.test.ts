// A cluster created on its own address ranges (`kubelab serve --cluster-cidr 10.44.0.0/16
// --service-cidr 10.45.0.0/20 --node-cidr-mask-size 26`), seen through kubectl 1.35: services,
// the `kubernetes` service and its endpoints, node podCIDRs and the kube-proxy ConfigMap follow
// the ranges; the ranges are fixed for the cluster's life, and a start asking for others is
// refused with one line and leaves the data folder as it was. No traffic goes to the ranges.
import { execFile, execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { clusterCIDRFromKubeProxyConfig } from '../../src-main/agent/proxy/kube-proxy-config.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl, REPO_ROOT } from './harness/kubectl.ts';
import { KubelabServer } from './harness/server.ts';

const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
const ranges = ['--cluster-cidr', '10.44.0.0/16', '--service-cidr', '10.45.0.0/20', '--node-cidr-mask-size', '26'];

let base: string;
let dataDir: string;
let server: KubelabServer | undefined;
let kubectl: Kubectl | undefined;

async function serve(args: string[]): Promise<{ server: KubelabServer; kubectl: Kubectl }> {
  await kubectl?.cleanup();
  await server?.stop();
  server = await KubelabServer.start({ dataDir, args });
  kubectl = new Kubectl('1.35', server.kubeconfigPath);
  return { server, kubectl };
}

/** `kubelab serve` that is expected to refuse: its exit code and what it printed. */
function refusedServe(dir: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'serve', '--data-dir', dir, '--port', '0', ...args], { cwd: REPO_ROOT, timeout: 60_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

/** Every file under dir with its content hash and mode: what "unchanged" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const st = statSync(path);
    out[relative(dir, path)] = entry.isFile() ? `${st.mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}` : `${st.mode} dir`;
  }
  return out;
}

/** The IPv4 address of the interface with the default route, as `ip` reports it. */
function defaultRouteAddress(): string {
  const dev = /\bdev (\S+)/.exec(execFileSync('ip', ['-4', 'route', 'show', 'default'], { encoding: 'utf8' }))![1];
  return /inet (\d+\.\d+\.\d+\.\d+)\//.exec(execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', dev], { encoding: 'utf8' }))![1];
}

/** The serving certificate's IP SANs. */
function servingCertIPs(): string[] {
  const sans = new X509Certificate(readFileSync(join(dataDir, 'pki', 'apiserver.crt'))).subjectAltName ?? '';
  return [...sans.matchAll(/IP Address:([0-9.]+)/g)].map((m) => m[1]);
}

function inRange(ip: string, cidr: string): boolean {
  const n = (a: string) => a.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  const [b, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(b) / size);
}

async function apiEndpoints(k: Kubectl): Promise<{ endpoints: string; slice: string }> {
  const endpoints = await k.ok(['get', 'endpoints', 'kubernetes', '--no-headers']);
  const slice = await k.ok(['get', 'endpointslices', 'kubernetes', '-o', 'jsonpath={.metadata.labels.kubernetes\\.io/service-name} {.addressType} {.endpoints[*].addresses[*]} {.endpoints[0].conditions.ready} {.ports[0].name}/{.ports[0].port}']);
  return { endpoints, slice };
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'kubelab-ranges-'));
  dataDir = join(base, 'data');
});
afterAll(async () => {
  await kubectl?.cleanup();
  await server?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('a cluster on --cluster-cidr 10.44.0.0/16 --service-cidr 10.45.0.0/20 --node-cidr-mask-size 26', () => {
  let webIP = '';

  it('gives a Service a clusterIP of the service range, and the kubernetes service 10.45.0.1', async () => {
    const { kubectl: k } = await serve(ranges);
    await k.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
    webIP = await k.ok(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(inRange(webIP, '10.45.0.0/20')).toBe(true);
    expect(await k.ok(['get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port}'])).toBe('10.45.0.1 443');
    // Pods call the API at https://kubernetes.default.svc, i.e. 10.45.0.1: the certificate names it.
    expect(servingCertIPs()).toContain('10.45.0.1');
    expect(servingCertIPs()).not.toContain('10.43.0.1');
    expect(JSON.parse(readFileSync(join(dataDir, 'cluster-config.json'), 'utf8'))).toEqual({ clusterCIDR: '10.44.0.0/16', serviceCIDR: '10.45.0.0/20', nodeCIDRMaskSize: 26 });
  });

  it('lists the API server (the default-route address, its port) as the kubernetes service\'s Endpoints and EndpointSlice', async () => {
    const port = new URL(server!.url).port;
    const address = defaultRouteAddress();
    const { endpoints, slice } = await apiEndpoints(kubectl!);
    expect(endpoints).toMatch(new RegExp(`^kubernetes\\s+${address.replaceAll('.', '\\.')}:${port}\\s`));
    expect(slice).toBe(`kubernetes IPv4 ${address} true https/${port}`);
    expect(await kubectl!.ok(['get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.ports[0].targetPort}'])).toBe(port);
  });

  it('gives a Node created through the API a /26 podCIDR of 10.44.0.0/16', async () => {
    await kubectl!.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-a' } }) });
    const cidr = await waitFor('worker-a gets a podCIDR', async () => (await kubectl!.ok(['get', 'node', 'worker-a', '-o', 'jsonpath={.spec.podCIDR}'])) || undefined, 30_000, 200);
    expect(cidr).toMatch(/^10\.44\.\d+\.(0|64|128|192)\/26$/);
    expect(inRange(cidr.split('/')[0], '10.44.0.0/16')).toBe(true);
  });

  it('publishes the pod range in ConfigMap kube-system/kube-proxy', async () => {
    const cm = JSON.parse(await kubectl!.ok(['get', 'configmap', 'kube-proxy', '-n', 'kube-system', '-o', 'json'])) as ConfigMap;
    expect(cm.data?.['config.conf']).toMatch(/^apiVersion: kubeproxy\.config\.k8s\.io\/v1alpha1$/m);
    expect(cm.data?.['config.conf']).toMatch(/^kind: KubeProxyConfiguration$/m);
    expect(clusterCIDRFromKubeProxyConfig(cm)).toBe('10.44.0.0/16');
    // A user's edit for the next test: a wrong range (set back at start) and a setting of theirs (kept).
    const edited = cm.data!['config.conf'].replace('clusterCIDR: 10.44.0.0/16', 'clusterCIDR: 10.99.0.0/16') + 'metricsBindAddress: 0.0.0.0:10249\n';
    await kubectl!.ok(['apply', '-f', '-'], { input: JSON.stringify({ ...cm, data: { 'config.conf': edited } }) });
    // And the API's EndpointSlice gone: the endpoint reconciler writes it again at start.
    await kubectl!.ok(['delete', 'endpointslice', 'kubernetes']);
  });

  it('refuses a restart on another range with one line, and leaves the data folder as it was', async () => {
    await kubectl!.cleanup();
    await server!.stop();
    kubectl = undefined;
    server = undefined;
    const before = snapshot(dataDir);
    for (const [flag, value, recorded] of [['--cluster-cidr', '10.50.0.0/16', '10.44.0.0/16'], ['--service-cidr', '10.45.0.0/16', '10.45.0.0/20'], ['--node-cidr-mask-size', '24', '26']]) {
      const { code, stderr } = await refusedServe(dataDir, [flag, value]);
      expect(code).toBe(1);
      expect(stderr).toBe(`kubelab: ${flag} ${value} differs from the cluster's ${recorded} (recorded in ${join(dataDir, 'cluster-config.json')}): ranges cannot change after the cluster is created\n`);
    }
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('refuses bad ranges for a new cluster with one line, creating nothing', async () => {
    const fresh = join(base, 'fresh');
    const overlap = await refusedServe(fresh, ['--cluster-cidr', '10.44.0.0/16', '--service-cidr', '10.44.16.0/20']);
    expect(overlap).toEqual({ code: 1, stderr: 'kubelab: --cluster-cidr 10.44.0.0/16 and --service-cidr 10.44.16.0/20 overlap: pods and services need separate ranges\n' });
    const mask = await refusedServe(fresh, ['--cluster-cidr', '10.44.0.0/16', '--node-cidr-mask-size', '16']);
    expect(mask.stderr).toMatch(/^kubelab: --node-cidr-mask-size must be a whole number from 17 .* to 30, not "16"\n$/);
    expect(existsSync(fresh)).toBe(false);
  });

  it('starts again with the same flags: same ranges, same addresses', async () => {
    const { kubectl: k } = await serve(ranges);
    expect(await k.ok(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).toBe(webIP);
    expect(await k.ok(['get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).toBe('10.45.0.1');
    const cm = JSON.parse(await k.ok(['get', 'configmap', 'kube-proxy', '-n', 'kube-system', '-o', 'json'])) as ConfigMap;
    expect(clusterCIDRFromKubeProxyConfig(cm)).toBe('10.44.0.0/16');
    expect(cm.data?.['config.conf']).toMatch(/^metricsBindAddress: 0\.0\.0\.0:10249$/m);
    expect((await apiEndpoints(k)).slice).toBe(`kubernetes IPv4 ${defaultRouteAddress()} true https/${new URL(server!.url).port}`);
  });

  it('starts again with no range flags on the recorded ranges, its endpoints following a new address and port', async () => {
    const { server: s, kubectl: k } = await serve(['--advertise-address', '198.51.100.7']);
    const port = new URL(s.url).port;
    const { endpoints, slice } = await waitFor('the endpoints at the new address', async () => {
      const got = await apiEndpoints(k);
      return got.slice.includes('198.51.100.7') ? got : undefined;
    });
    expect(endpoints).toMatch(new RegExp(`^kubernetes\\s+198\\.51\\.100\\.7:${port}\\s`));
    expect(slice).toBe(`kubernetes IPv4 198.51.100.7 true https/${port}`);
    expect(servingCertIPs()).toEqual(expect.arrayContaining(['10.45.0.1', '198.51.100.7']));
    await k.ok(['create', 'service', 'clusterip', 'api', '--tcp=80:8080']);
    expect(inRange(await k.ok(['get', 'service', 'api', '-o', 'jsonpath={.spec.clusterIP}']), '10.45.0.0/20')).toBe(true);
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-b' } }) });
    const cidr = await waitFor('worker-b gets a podCIDR', async () => (await k.ok(['get', 'node', 'worker-b', '-o', 'jsonpath={.spec.podCIDR}'])) || undefined, 30_000, 200);
    expect(cidr).toMatch(/^10\.44\.\d+\.(0|64|128|192)\/26$/);
    expect(cidr).not.toBe(await k.ok(['get', 'node', 'worker-a', '-o', 'jsonpath={.spec.podCIDR}']));
  });
});
