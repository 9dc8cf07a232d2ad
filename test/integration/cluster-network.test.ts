// Cluster networking on three test hosts joined over SSH (`kubelab lab up --nodes 3`), each
// running its own agent in its own network namespace: a Deployment of 3 HTTP servers spread over
// the nodes behind Services, reached from a pod on the first node by name and by cluster IP (and
// the API server through the kubernetes service); cluster DNS (search domains, headless, SRV);
// pod-to-pod across nodes with the real source address; NodePort, LoadBalancer and hostPort from
// this machine on every node address; externalTrafficPolicy Local and ClientIP affinity; a pod
// failing readiness leaving the rotation; scale to 0 leaving no backend and no stale rule; and an
// agent uninstalled leaving no KUBE-* chain.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labLeftovers } from '../../src-main/provision/cli/lab-commands.ts';
import { isClean } from '../../src-main/provision/lab/test-hosts.ts';
import { buildBusyboxImage } from '../fixtures/images/busybox-image.ts';
import { dockerSave } from '../fixtures/images/image-archives.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl, REPO_ROOT } from './harness/kubectl.ts';

const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
const LAB = `n${process.pid % 10_000}`;
const NODES = [0, 1, 2].map((i) => `${LAB}-node-${i}`);
const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-network-'));
const execFileAsync = promisify(execFile);
let kubectl: Kubectl;
/** Node name → its InternalIP (its test host's address). */
const addressOf = new Map<string, string>();

function kubelab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** A command in a test host's network namespace (the node's own iptables and routes). */
async function onNode(node: string, cmd: string, args: string[]): Promise<string> {
  const netns = `klab-${LAB}-${NODES.indexOf(node)}`;
  return (await execFileAsync('ip', ['netns', 'exec', netns, cmd, ...args], { encoding: 'utf8' })).stdout;
}

/** A shell command in the client pod (on the first node). */
const inClient = (script: string) => kubectl.ok(['exec', 'client', '--', 'sh', '-c', script]);

/** `count` requests from the client pod; the bodies (FAIL for a request that failed). */
async function fromClient(url: string, count: number): Promise<string[]> {
  const out = await inClient(`for i in $(seq ${count}); do wget -q -O - ${url} 2>/dev/null || echo FAIL; done`);
  return out.trim().split('\n');
}

/** One HTTP GET from this machine (outside every node). */
function get(host: string, port: number, path = '/'): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message)).on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.end();
  });
}

/** httpd listens on IPv6 too: it writes an IPv4 caller as [::ffff:a.b.c.d]. */
const stripV6 = (address: string) => address.replace(/^\[(::ffff:)?|\]$/g, '');

const pods = async (selector: string) => JSON.parse(await kubectl.ok(['get', 'pods', '-l', selector, '-o', 'json'])).items as Pod[];
const webPods = () => pods('app=web');

// busybox httpd: the page is the pod's name, /cgi-bin/ip the caller's address as the pod sees it,
// /ready what the readiness probe asks for (removing it fails the probe).
const webScript = [
  'mkdir -p /www/cgi-bin', 'hostname > /www/index.html', 'touch /www/ready',
  // The CGI's header ends in CRLF, as HTTP wants (Node's client insists; wget does not).
  `printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n%%s\\\\n" "$REMOTE_ADDR"\\n' > /www/cgi-bin/ip`, 'chmod +x /www/cgi-bin/ip',
  'exec httpd -f -p 8080 -h /www',
].join(' && ');

const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
      containers:
      - name: web
        image: lab/busybox:1
        imagePullPolicy: Never
        command: [sh, -c, ${JSON.stringify(webScript)}]
        ports: [{containerPort: 8080, name: http}]
        readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 8081, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-local}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-sticky}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  nodeName: ${NODES[0]}
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: lab/busybox:1, imagePullPolicy: Never, command: [sleep, '100000']}
---
apiVersion: v1
kind: Pod
metadata: {name: hostport}
spec:
  nodeName: ${NODES[1]}
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: lab/busybox:1
    imagePullPolicy: Never
    command: [sh, -c, 'mkdir -p /www && echo hostport > /www/index.html && exec httpd -f -p 80 -h /www']
    ports: [{containerPort: 80, hostPort: 8088}]
`;

beforeAll(async () => {
  const up = await kubelab(['lab', 'up', '--nodes', '3', '--port', '0', '--name', LAB]);
  expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
  execFileSync('sh', ['-c', `${process.execPath} ${CLI} kubeconfig --data-dir ${dataDir} > ${join(dataDir, 'admin.kubeconfig')}`]);
  kubectl = new Kubectl('1.35', join(dataDir, 'admin.kubeconfig'));
  const archive = join(dataDir, 'busybox.tar');
  writeFileSync(archive, dockerSave(buildBusyboxImage(), 'lab/busybox:1'));
  const load = await kubelab(['image', 'load', archive, ...NODES.flatMap((n) => ['--node', n])]);
  expect(load.code, load.stderr).toBe(0);
  for (const n of JSON.parse(await kubectl.ok(['get', 'nodes', '-o', 'json'])).items as Node[]) {
    addressOf.set(n.metadata!.name!, n.status!.addresses!.find((a) => a.type === 'InternalIP')!.address);
  }
  writeFileSync(join(dataDir, 'web.yaml'), manifests);
  await kubectl.ok(['apply', '-f', join(dataDir, 'web.yaml')]);
  await waitFor('3 web pods ready and the client running', async () => {
    const web = await webPods();
    const client = (await pods('app=client'))[0];
    return web.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 3 && client?.status?.phase === 'Running';
  }, 90_000);
}, 240_000);

afterAll(async () => {
  const down = await kubelab(['lab', 'down']);
  const left = await labLeftovers(dataDir);
  await kubectl?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
  expect(down.stdout).toContain('lab down: nothing left');
  expect(isClean(left), JSON.stringify(left)).toBe(true);
}, 180_000);

describe('cluster networking on three test hosts', () => {
  it('spreads web over the nodes, and a pod on the first reaches all three by the service name and by its cluster IP', async () => {
    const web = await webPods();
    expect(new Set(web.map((p) => p.spec?.nodeName))).toEqual(new Set(NODES));
    // Every node's pods come from its own podCIDR.
    for (const p of web) {
      const node = JSON.parse(await kubectl.ok(['get', 'node', p.spec!.nodeName!, '-o', 'json'])) as Node;
      expect(p.status?.podIP?.split('.').slice(0, 3).join('.')).toBe(node.spec?.podCIDR?.split('.').slice(0, 3).join('.'));
    }
    const names = new Set(web.map((p) => p.metadata!.name!));
    const svc = JSON.parse(await kubectl.ok(['get', 'service', 'web', '-o', 'json'])) as Service;
    // 30 calls each: every backend answers (the chance one of three is missed is 3·(2/3)^30 ≈ 2e-5).
    for (const url of ['http://web.default.svc.cluster.local', 'http://web', `http://${svc.spec!.clusterIP}`]) {
      const answers = await fromClient(url, 30);
      expect([url, new Set(answers)]).toEqual([url, names]);
    }
    // And the API server through the kubernetes service, as in-cluster clients reach it.
    expect(await inClient('nc -w 3 kubernetes.default.svc 443 </dev/null && echo connected')).toBe('connected\n');
  });

  it('gives the pod a resolv.conf with the node\'s DNS and the search domains; headless names are the pods\' IPs, SRV the named port', async () => {
    const resolv = await inClient('cat /etc/resolv.conf');
    const node0 = JSON.parse(await kubectl.ok(['get', 'node', NODES[0]!, '-o', 'json'])) as Node;
    const gateway = node0.spec!.podCIDR!.replace(/\.0\/\d+$/, '.1');
    expect(resolv).toContain(`nameserver ${gateway}`);
    expect(resolv).toContain('search default.svc.cluster.local svc.cluster.local cluster.local');
    expect(resolv).toContain('options ndots:5');
    const headless = await inClient('busybox nslookup web-headless.default.svc.cluster.local');
    const ips = (await webPods()).map((p) => p.status!.podIP!);
    for (const ip of ips) expect(headless).toContain(ip);
    const srv = await inClient('busybox nslookup -type=SRV _http._tcp.web.default.svc.cluster.local');
    expect(srv).toMatch(/port = 80\b|\s80\sweb\.default\.svc\.cluster\.local/);
    const missing = await kubectl.run(['exec', 'client', '--', 'busybox', 'nslookup', 'nothing-here.default.svc.cluster.local']);
    expect(missing.stdout + missing.stderr).toMatch(/NXDOMAIN|can't find/);
  });

  it('reaches a pod on another node by its IP without NAT: the server sees the client pod\'s own address', async () => {
    const client = (await pods('app=client'))[0]!;
    for (const p of (await webPods()).filter((w) => w.spec?.nodeName !== NODES[0])) {
      const seen = (await fromClient(`http://${p.status!.podIP}:8080/cgi-bin/ip`, 1)).map(stripV6);
      expect([p.spec?.nodeName, seen]).toEqual([p.spec?.nodeName, [client.status!.podIP]]);
    }
  });

  it('answers a NodePort on every node address, a LoadBalancer on its ingress addresses and a hostPort, from this machine', async () => {
    const names = new Set((await webPods()).map((p) => p.metadata!.name!));
    const np = JSON.parse(await kubectl.ok(['get', 'service', 'web-np', '-o', 'json'])) as Service;
    const nodePort = np.spec!.ports![0]!.nodePort!;
    await waitFor('the LoadBalancer has its ingress', async () => {
      const lb = JSON.parse(await kubectl.ok(['get', 'service', 'web-lb', '-o', 'json'])) as Service;
      return (lb.status?.loadBalancer?.ingress ?? []).length === 3;
    });
    const lb = JSON.parse(await kubectl.ok(['get', 'service', 'web-lb', '-o', 'json'])) as Service;
    expect(new Set(lb.status!.loadBalancer!.ingress!.map((i) => i.ip))).toEqual(new Set(addressOf.values()));
    const seenNodePort = new Set<string>();
    for (const address of addressOf.values()) {
      for (let i = 0; i < 12; i++) {
        const body = await get(address, nodePort);
        expect(names).toContain(body);
        seenNodePort.add(body);
      }
      expect(names).toContain(await get(address, 8081));
    }
    // Spread over the cluster (externalTrafficPolicy Cluster), not only each node's own pod.
    expect(seenNodePort.size).toBeGreaterThan(1);
    expect(await get(addressOf.get(NODES[1]!)!, 8088)).toBe('hostport');
  });

  it('with externalTrafficPolicy Local answers a node port from that node\'s own pod and keeps the caller\'s address; Cluster masquerades it', async () => {
    const port = async (name: string) => (JSON.parse(await kubectl.ok(['get', 'service', name, '-o', 'json'])) as Service).spec!.ports![0]!.nodePort!;
    const [local, cluster] = [await port('web-local'), await port('web-np')];
    const web = await webPods();
    for (const [node, address] of addressOf) {
      const own = web.find((p) => p.spec?.nodeName === node)!.metadata!.name!;
      for (let i = 0; i < 5; i++) expect([node, await get(address, local)]).toEqual([node, own]);
      // This machine calls from its address on the lab's bridge.
      const gateway = address.replace(/\.\d+$/, '.1');
      expect(stripV6(await get(address, local, '/cgi-bin/ip'))).toBe(gateway);
      const seen = stripV6(await get(address, cluster, '/cgi-bin/ip'));
      expect([...addressOf.values(), ...web.map((p) => p.status!.podIP!.replace(/\.\d+$/, '.1'))]).toContain(seen);
      expect(seen).not.toBe(gateway);
    }
  });

  it('keeps a client on one backend under sessionAffinity ClientIP', async () => {
    const answers = await fromClient('http://web-sticky', 20);
    expect(answers).toHaveLength(20);
    expect(new Set(answers).size).toBe(1);
    expect((await webPods()).map((p) => p.metadata!.name)).toContain(answers[0]);
  });

  it('takes a pod failing readiness out of the rotation within its probe period, and back when it passes', async () => {
    const victim = (await webPods()).find((p) => p.spec?.nodeName === NODES[2])!;
    const name = victim.metadata!.name!;
    await kubectl.ok(['exec', name, '--', 'rm', '/www/ready']);
    const started = Date.now();
    await waitFor('its endpoint not ready', async () => {
      const slices = JSON.parse(await kubectl.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'])).items as EndpointSlice[];
      return slices.flatMap((s) => s.endpoints).some((e) => e.targetRef?.name === name && e.conditions?.ready === false);
    }, 10_000);
    // The rules follow the endpoints in the same moment: no call reaches it from here on.
    await waitFor('no call reaches it', async () => !(await fromClient('http://web', 10)).includes(name), 5_000);
    const answers = await fromClient('http://web', 30);
    expect(answers).not.toContain(name);
    expect(answers).not.toContain('FAIL');
    expect(Date.now() - started).toBeLessThan(15_000);
    await kubectl.ok(['exec', name, '--', 'touch', '/www/ready']);
    await waitFor('back in the rotation', async () => (await fromClient('http://web', 15)).includes(name), 15_000);
  });

  it('scaled to 0: no backend, a refused connection, and no endpoint chain left on any node', async () => {
    await kubectl.ok(['scale', 'deployment', 'web', '--replicas=0']);
    await waitFor('the web pods gone', async () => (await webPods()).length === 0, 30_000);
    const svc = JSON.parse(await kubectl.ok(['get', 'service', 'web', '-o', 'json'])) as Service;
    await waitFor('the cluster IP refused', async () => (await inClient(`wget -q -O - http://${svc.spec!.clusterIP} 2>&1 || true`)).includes('refused'), 10_000);
    for (const node of NODES) {
      const nat = await onNode(node, 'iptables-save', ['-t', 'nat']);
      // The only endpoint left is the API server's, behind the kubernetes service.
      const endpointRules = nat.split('\n').filter((l) => l.startsWith('-A KUBE-SEP-'));
      expect([node, endpointRules.filter((l) => !l.includes('"default/kubernetes:https"'))]).toEqual([node, []]);
      expect(nat).not.toContain('default/web:http');
      expect(await onNode(node, 'iptables-save', ['-t', 'filter'])).toContain('"default/web:http has no endpoints"');
    }
  });

  it('an agent uninstalled leaves no KUBE-* chain and no pod route, and the other nodes drop their route to it', async () => {
    const gone = NODES[2]!;
    const node = JSON.parse(await kubectl.ok(['get', 'node', gone, '-o', 'json'])) as Node;
    expect(await onNode(NODES[0]!, 'ip', ['route', 'show', node.spec!.podCIDR!])).toContain(`via ${addressOf.get(gone)}`);
    const removed = await kubelab(['node', 'remove', gone, '--force']);
    expect(removed.code, removed.stderr).toBe(0);
    const rules = (await onNode(gone, 'iptables-save', [])) + (await onNode(gone, 'iptables-legacy-save', []).catch(() => ''));
    expect(rules).not.toMatch(/KUBE-|CNI-/);
    expect(await onNode(gone, 'ip', ['-4', 'route', 'show', 'proto', '66'])).toBe('');
    await waitFor('the peers dropped the route', async () => (await onNode(NODES[0]!, 'ip', ['route', 'show', node.spec!.podCIDR!])).trim() === '', 10_000);
    expect(readFileSync(join(dataDir, 'nodes.json'), 'utf8')).not.toContain(gone);
  });
});
