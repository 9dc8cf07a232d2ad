// A stand-in for the API server in front of the agent's stream handlers, so that the real kubectl
// can exercise the protocols on containers a test made itself: discovery of pods, GET of one pod
// (what kubectl reads before it streams), and the pods/exec|attach|portforward upgrades rewritten
// to the agent's paths (/exec/{ns}/{pod}/{container}?…, /portForward/{ns}/{pod}?…), as the real
// API server's proxy does. The end-to-end tests go through the real API instead.
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

type Handler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;

export interface StreamApiStub {
  url: string;
  kubeconfigPath: string;
  close(): Promise<void>;
}

const json = (body: unknown): string => JSON.stringify(body);

export async function startStreamApiStub(dir: string, pod: { namespace: string; name: string; containers: string[] }, handlers: Record<'exec' | 'attach' | 'portforward', Handler>): Promise<StreamApiStub> {
  const podObject = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.name, namespace: pod.namespace, uid: 'stub-uid', resourceVersion: '1' },
    spec: { nodeName: 'stub', containers: pod.containers.map((name) => ({ name, image: 'busybox', stdin: true, tty: true })) },
    status: { phase: 'Running', containerStatuses: pod.containers.map((name) => ({ name, ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: {} } })) },
  };
  const resources = ['pods', 'pods/exec', 'pods/attach', 'pods/portforward'].map((name) => ({
    name, singularName: name === 'pods' ? 'pod' : '', namespaced: true, kind: name === 'pods' ? 'Pod' : 'PodExecOptions', verbs: name === 'pods' ? ['get', 'list'] : ['create', 'get'], ...(name === 'pods' ? { shortNames: ['po'] } : {}),
  }));
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const bodies: Record<string, unknown> = {
      '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
      '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
      '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources },
      '/version': { major: '1', minor: '35', gitVersion: 'v1.35.0' },
      [`/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`]: podObject,
    };
    const body = bodies[path];
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(json(body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  });
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const url = new URL(req.url ?? '/', 'http://stub');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/.exec(url.pathname);
    if (!m) return void socket.destroy();
    const [, ns, name, sub] = m as unknown as [string, string, string, 'exec' | 'attach' | 'portforward'];
    const container = url.searchParams.get('container') ?? pod.containers[0];
    url.searchParams.delete('container');
    req.url = sub === 'portforward' ? `/portForward/${ns}/${name}?${url.searchParams}` : `/${sub}/${ns}/${name}/${container}?${url.searchParams}`;
    void handlers[sub](req, socket, head);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = join(dir, 'stub-kubeconfig.yaml');
  writeFileSync(kubeconfigPath, json({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'stub',
    clusters: [{ name: 'stub', cluster: { server: url, 'insecure-skip-tls-verify': true } }], users: [{ name: 'stub', user: {} }],
    contexts: [{ name: 'stub', context: { cluster: 'stub', user: 'stub', namespace: pod.namespace } }],
  }));
  return {
    url, kubeconfigPath,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      for (const s of upgraded) s.destroy();
      server.close(() => r());
    }),
  };
}
