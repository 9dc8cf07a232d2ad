// The typed Kubernetes client shared by controllers, the scheduler, node agents, the CLI and the
// UI bridge — the equivalent of client-go's dynamic client: resources are addressed by
// GroupVersionResource, objects are plain JSON, and every failure is an ApiError with the
// server's Status.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Status } from 'kubernetes-types/meta/v1';
import { ApiError } from './api-error.ts';
import { resourcePath, type GroupVersionResource } from './gvr.ts';
import { parseKubeconfig, type ConnectionConfig } from './kubeconfig.ts';
import type WebSocket from 'ws';
import { Transport, type RawResponse, type StreamHandle } from './transport.ts';
import type {
  DeleteOptions, KubeList, KubeObject, ListOptions, PatchOptions, PatchType, WatchEvent,
  WatchHandle, WatchOptions, WriteOptions,
} from './types.ts';
import { startWatch } from './watch.ts';

export type KubeClientOptions = ConnectionConfig;

/** The pods/log options (v1 PodLogOptions) the client passes on. */
export interface LogQuery { container?: string; timestamps?: boolean; sinceSeconds?: number; tailLines?: number }

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function writeQuery(opts: WriteOptions | undefined): Query {
  return {
    dryRun: opts?.dryRun ? 'All' : undefined,
    fieldManager: opts?.fieldManager,
    fieldValidation: opts?.fieldValidation,
  };
}

function identity(obj: KubeObject, what: string): { namespace?: string; name: string } {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${what}: the object has no metadata.name`);
  return { namespace: obj.metadata?.namespace, name };
}

export class KubeClient {
  private readonly transport: Transport;

  constructor(opts: KubeClientOptions) {
    this.transport = new Transport(opts);
  }

  /** A client for a kubeconfig's context (the current one unless named). */
  static fromKubeconfig(text: string, context?: string): KubeClient {
    return new KubeClient(parseKubeconfig(text, context));
  }

  static fromKubeconfigFile(path: string, context?: string): KubeClient {
    return new KubeClient(parseKubeconfig(readFileSync(path, 'utf8'), context, dirname(path)));
  }

  /** The server's base URL. */
  get server(): string {
    return this.transport.server;
  }

  /** The CA bundle the server is verified with (PEM), when the client was given one. */
  get caPem(): string | undefined {
    return this.transport.ca;
  }

  /**
   * Any request by path, answered as parsed JSON; non-2xx throws ApiError. For discovery
   * (/api, /apis, /version) and for callers that already hold a path (the UI bridge).
   */
  async request<R = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<R> {
    const res = await this.transport.request(method, path, {
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      contentType,
    });
    return parseOrThrow<R>(res);
  }

  get<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource, namespace: string | undefined, name: string, subresource?: string,
  ): Promise<T> {
    return this.request<T>('GET', resourcePath(gvr, namespace, name, subresource));
  }

  list<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, opts: ListOptions = {}): Promise<KubeList<T>> {
    const { namespace, ...rest } = opts;
    return this.request<KubeList<T>>('GET', withQuery(resourcePath(gvr, namespace), { ...rest }));
  }

  /** Creates the object in opts.namespace, else in its own metadata.namespace. */
  create<T extends KubeObject>(
    gvr: GroupVersionResource, obj: T, opts?: WriteOptions & { namespace?: string },
  ): Promise<T> {
    const ns = opts?.namespace ?? obj.metadata?.namespace;
    return this.request<T>('POST', withQuery(resourcePath(gvr, ns), writeQuery(opts)), obj);
  }

  /** Replaces the object (PUT); its metadata.resourceVersion makes it a compare-and-swap. */
  update<T extends KubeObject>(gvr: GroupVersionResource, obj: T, opts?: WriteOptions): Promise<T> {
    const { namespace, name } = identity(obj, 'update');
    return this.request<T>('PUT', withQuery(resourcePath(gvr, namespace, name), writeQuery(opts)), obj);
  }

  /** Replaces only .status, through the status subresource as controllers must. */
  updateStatus<T extends KubeObject>(gvr: GroupVersionResource, obj: T, opts?: WriteOptions): Promise<T> {
    const { namespace, name } = identity(obj, 'updateStatus');
    return this.request<T>('PUT', withQuery(resourcePath(gvr, namespace, name, 'status'), writeQuery(opts)), obj);
  }

  /**
   * PATCH with one of the four patch types. 'apply' is server-side apply: it needs a field
   * manager (defaulted to "kubelab") and may create the object.
   */
  patch<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource, namespace: string | undefined, name: string,
    patch: unknown, type: PatchType, opts?: PatchOptions,
  ): Promise<T> {
    const query: Query = { ...writeQuery(opts) };
    if (type === 'apply') {
      query.fieldManager = opts?.fieldManager ?? 'kubelab';
      if (opts?.force) query.force = true;
    }
    const path = withQuery(resourcePath(gvr, namespace, name, opts?.subresource), query);
    return this.request<T>('PATCH', path, patch, PATCH_CONTENT_TYPES[type]);
  }

  /**
   * Deletes one object. The answer is the object (when finalizers or a grace period keep it
   * around for a while) or a Success Status (when it is gone at once).
   */
  delete<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource, namespace: string | undefined, name: string, opts?: DeleteOptions,
  ): Promise<T | Status> {
    return this.request<T | Status>('DELETE', resourcePath(gvr, namespace, name), deleteBody(opts));
  }

  /** Deletes every object a list with these options would return. */
  deleteCollection(gvr: GroupVersionResource, opts: ListOptions & DeleteOptions = {}): Promise<unknown> {
    const { namespace, labelSelector, fieldSelector, ...del } = opts;
    const path = withQuery(resourcePath(gvr, namespace), { labelSelector, fieldSelector });
    return this.request('DELETE', path, deleteBody(del));
  }

  /**
   * Streams changes from opts.resourceVersion. onEvent gets each event in order; onDone is
   * called exactly once: without error when the server ended the watch (timeout) or stop()
   * was called, with an ApiError for a non-200 answer (410 Gone: re-list), or with the
   * network/parse error that cut the stream.
   */
  watch<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource, opts: WatchOptions,
    onEvent: (e: WatchEvent<T>) => void, onDone: (err?: Error) => void,
  ): WatchHandle {
    const { namespace, ...rest } = opts;
    const path = withQuery(resourcePath(gvr, namespace), { ...rest, watch: 1 });
    return startWatch<T>(this.transport, path, onEvent, onDone);
  }

  /**
   * A container's log as it is written (pods/log with follow=true): the response body streams
   * lines until the container ends or abort() is called.
   */
  followLog(namespace: string, pod: string, query: LogQuery): StreamHandle {
    return this.log(namespace, pod, { ...query, follow: true });
  }

  /**
   * A container's log (pods/log) read as it arrives: the run so far (or the last terminated run
   * with previous), and with follow whatever it writes next.
   */
  log(namespace: string, pod: string, query: LogQuery & { follow?: boolean; previous?: boolean }): StreamHandle {
    return this.transport.stream('GET', withQuery(resourcePath({ group: '', version: 'v1', resource: 'pods' }, namespace, pod, 'log'), { ...query }));
  }

  /** A pod's port-forward as a WebSocket (channels 0/1 per port, each opening with its port number). */
  portForwardSocket(namespace: string, pod: string, port: number): WebSocket {
    return this.transport.websocket(withQuery(resourcePath({ group: '', version: 'v1', resource: 'pods' }, namespace, pod, 'portforward'), { ports: port }), ['v4.channel.k8s.io']);
  }

  /**
   * A command in a pod's container as a WebSocket (pods/exec, channel protocol v5/v4): 0 stdin,
   * 1 stdout, 2 stderr, 3 the final Status, 4 terminal sizes. One `command` per argument.
   */
  execSocket(namespace: string, pod: string, opts: { command: string[]; container?: string; stdin?: boolean; tty?: boolean }): WebSocket {
    const query = new URLSearchParams();
    for (const arg of opts.command) query.append('command', arg);
    if (opts.container) query.set('container', opts.container);
    if (opts.stdin) query.set('stdin', 'true');
    query.set('stdout', 'true');
    if (!opts.tty) query.set('stderr', 'true');
    if (opts.tty) query.set('tty', 'true');
    const path = `${resourcePath({ group: '', version: 'v1', resource: 'pods' }, namespace, pod, 'exec')}?${query}`;
    return this.transport.websocket(path, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  }

  /** A new client certificate and key (PEM) for the requests from now on. */
  setClientCertificate(certPem: string, keyPem: string): void {
    this.transport.setClientCertificate(certPem, keyPem);
  }

  /** Frees the keep-alive sockets. The client must not be used afterwards. */
  close(): void {
    this.transport.close();
  }
}

function deleteBody(opts: DeleteOptions | undefined): unknown {
  if (!opts) return undefined;
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
  if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
  if (opts.preconditions) body.preconditions = opts.preconditions;
  if (opts.dryRun) body.dryRun = ['All'];
  return body;
}

function parseOrThrow<R>(res: RawResponse): R {
  if (res.status < 200 || res.status >= 300) throw ApiError.fromResponse(res.status, res.body);
  if (res.body === '') return undefined as R;
  try {
    return JSON.parse(res.body) as R;
  } catch {
    throw new Error(`the server answered ${res.status} with a body that is not JSON: ${res.body.slice(0, 200)}`);
  }
}
