// The `kubernetes` service's endpoints, as kube-apiserver's endpoint reconciler keeps them: an
// Endpoints and an EndpointSlice default/kubernetes with the API server's advertise address and
// port. The service has no selector, so the endpoints controllers leave both alone; this loop
// writes them at start (an address or port that moved since the last run is corrected) and
// every 10 s after, as upstream does, so a deleted or edited copy comes back.
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { isAlreadyExists, isNotFound, type GroupVersionResource, type KubeClient } from './client/index.ts';
import { gvr } from './client/resources.ts';
import type { KubeObject } from './client/types.ts';

export interface ApiEndpoint {
  ip: string;
  port: number;
}

const reconcileIntervalMs = 10_000;
const asApiserver = { fieldManager: 'kube-apiserver' };
const port = (p: number) => ({ name: 'https', port: p, protocol: 'TCP' });

function kubernetesEndpoints(at: ApiEndpoint): Endpoints {
  return {
    apiVersion: 'v1', kind: 'Endpoints',
    // Upstream marks it so that the EndpointSlice mirroring controller leaves it to the reconciler.
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: at.ip }], ports: [port(at.port)] }],
  };
}

function kubernetesEndpointSlice(at: ApiEndpoint): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [at.ip], conditions: { ready: true } }],
    ports: [port(at.port)],
  };
}

/** Creates the object, or replaces the fields given when they differ from what is stored. */
async function ensureObject<T extends KubeObject>(client: KubeClient, resource: GroupVersionResource, want: T, fields: (keyof T)[]): Promise<void> {
  const { namespace, name } = want.metadata as { namespace: string; name: string };
  let current: T;
  try {
    current = await client.get<T>(resource, namespace, name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await client.create(resource, want, asApiserver).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
    return;
  }
  const labels = { ...current.metadata?.labels, ...want.metadata?.labels };
  const same = fields.every((f) => JSON.stringify(current[f]) === JSON.stringify(want[f])) && JSON.stringify(labels) === JSON.stringify(current.metadata?.labels);
  if (same) return;
  const next = { ...current, metadata: { ...current.metadata, labels } } as T;
  for (const f of fields) next[f] = want[f];
  await client.update(resource, next, asApiserver);
}

/** The service's port 443 → the API server's port, as upstream's master service has it. */
async function ensureServiceTargetPort(client: KubeClient, apiPort: number): Promise<void> {
  const svc = await client.get<Service>(gvr.services, 'default', 'kubernetes');
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 1 && ports[0].targetPort === apiPort) return;
  await client.update(gvr.services, { ...svc, spec: { ...svc.spec, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }] } }, asApiserver);
}

export async function reconcileKubernetesEndpoints(client: KubeClient, at: ApiEndpoint): Promise<void> {
  await ensureServiceTargetPort(client, at.port);
  await ensureObject(client, gvr.endpoints, kubernetesEndpoints(at), ['subsets']);
  await ensureObject(client, gvr.endpointSlices, kubernetesEndpointSlice(at), ['addressType', 'endpoints', 'ports']);
}

export interface EndpointReconciler {
  stop(): void;
}

/** Reconciles now (failing the start when it cannot), then every 10 s until stopped. */
export async function startEndpointReconciler(client: KubeClient, at: ApiEndpoint, log: (line: string) => void): Promise<EndpointReconciler> {
  await reconcileKubernetesEndpoints(client, at);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcileKubernetesEndpoints(client, at)
      .catch((e: unknown) => log(`endpoint reconciler: ${(e as Error).message}`))
      .finally(() => (running = false));
  }, reconcileIntervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
