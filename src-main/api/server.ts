// The HTTPS front door: authentication, authorization, then either a non-resource path
// (discovery, /version, OpenAPI, health) or a resource request routed by verb and subresource.
// Paths the API does not own go to extensions (the browser UI) before a 404.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AuthenticationRejected, type Authenticator, type UserInfo } from '../auth/authenticator.ts';
import type { Authorizer } from '../auth/authorizer.ts';
import { requestClientCertificate } from '../auth/client-cert-authenticator.ts';
import { impersonatedUser } from '../auth/impersonation.ts';
import { CACERTS_PATH, NODE_CREDENTIAL_PATH } from '../auth/join-protocol.ts';
import type { NodeCredentialIssuer } from '../auth/node-credential.ts';
import type { HttpExtension } from './http-extension.ts';
import { extensionGroup, findExtension, withExtensionGroups, type APIGroupExtension } from './api-group-extension.ts';
import type { ApiContext, RequestScope } from './handlers/context.ts';
import { parseDryRun, parseFieldValidation } from './handlers/context.ts';
import { parseRequestInfo, type ResourceRequest } from './request-info.ts';
import { ApiError, forbidden, methodNotSupported, pageNotFound, unauthorized } from './status.ts';
import { decodeBody, mediaType, readBody, writeError, writeJSON } from './handlers/codec.ts';
import { coreVersions, group, groupList, resourceList, serverVersion } from './discovery.ts';
import { serveOpenAPI } from './openapi-routes.ts';
import { handleGet, handleList } from './handlers/read.ts';
import { handleWatch } from './handlers/watch.ts';
import { handleCreate } from './handlers/create.ts';
import { handleUpdate } from './handlers/update.ts';
import { handlePatch } from './handlers/patch.ts';
import { handleDelete, handleDeleteCollection } from './handlers/delete.ts';
import { handleScale } from './handlers/scale.ts';
import { handleBinding, handleNodeProxied } from './handlers/pod-subresources.ts';
import { handleNodeProxy } from './node-proxy/node-proxy.ts';
import { handleTokenRequest } from './handlers/token-request.ts';

export interface ApiServerOptions {
  api: ApiContext;
  authenticator: Authenticator;
  authorizer: Authorizer;
  /** With `ca`, clients may present certificates it signed (the client-certificate authenticator). */
  tls: { cert: string; key: string; ca?: string };
  /** The join endpoints: the CA PEM at /cacerts and the bootstrap token exchange. */
  join?: { caPem: string; nodeCredentials: NodeCredentialIssuer };
  extensions?: HttpExtension[];
  /** API groups that answer for themselves (the metrics API), as aggregated APIServices. */
  groups?: APIGroupExtension[];
}

const apiRoots = ['/api', '/apis', '/version', '/openapi', '/healthz', '/livez', '/readyz', CACERTS_PATH, NODE_CREDENTIAL_PATH];

function isApiPath(pathname: string): boolean {
  return apiRoots.some((r) => pathname === r || pathname.startsWith(`${r}/`));
}

const nodeProxied = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

export function createApiServer(opts: ApiServerOptions): Server {
  const clientCerts = opts.tls.ca ? { ca: opts.tls.ca, ...requestClientCertificate } : {};
  const server = createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2', ...clientCerts }, (req, res) => {
    handle(opts, req, res).catch((err) => {
      if (!(err instanceof ApiError)) opts.api.log(`api: ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
      writeError(res, err);
    });
  });
  // Watches stay open for as long as their timeoutSeconds; the server must not cut them.
  server.requestTimeout = 0;
  server.timeout = 0;
  server.keepAliveTimeout = 65_000;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(opts, req, socket, head));
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

/** The user; a credential presented and found invalid is a 401 (its reason only in the log). */
async function authenticate(opts: ApiServerOptions, req: IncomingMessage): Promise<UserInfo | undefined> {
  try {
    return await opts.authenticator.authenticate(req);
  } catch (e) {
    if (!(e instanceof AuthenticationRejected)) throw e;
    opts.api.log(`api: ${req.method} ${splitURL(req.url).pathname}: unauthorized: ${e.message}`);
    throw unauthorized();
  }
}

/**
 * The path and query as sent. WHATWG URL parsing would resolve "/x/%2e%2e" to "/" and so turn a
 * request for an object named ".." into one for its parent; the API path is taken literally.
 */
function splitURL(raw: string | undefined): { pathname: string; searchParams: URLSearchParams } {
  const text = raw ?? '/';
  const q = text.indexOf('?');
  return { pathname: q < 0 ? text : text.slice(0, q), searchParams: new URLSearchParams(q < 0 ? '' : text.slice(q + 1)) };
}

async function handle(opts: ApiServerOptions, req: IncomingMessage, res: ServerResponse, upgrade?: RequestScope['upgrade']): Promise<void> {
  const url = splitURL(req.url);
  const pathname = url.pathname;
  if (!isApiPath(pathname)) {
    for (const ext of opts.extensions ?? []) if (ext.handleRequest(req, res)) return;
    throw pageNotFound();
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const info = parseRequestInfo(method, pathname, url.searchParams);
  const authenticated = await authenticate(opts, req);
  const user = authenticated && impersonatedUser(req, authenticated, opts.authorizer);
  const attrs =
    info.kind === 'resource'
      ? { verb: info.verb, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, namespace: authorizedNamespace(info), name: info.name, resourceRequest: true, fieldSelector: url.searchParams.get('fieldSelector') ?? undefined }
      : { verb: method === 'GET' || method === 'HEAD' ? 'get' : method.toLowerCase(), path: pathname, resourceRequest: false };
  const decision = opts.authorizer.authorize({ ...attrs, user: user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] } });
  if (decision.decision !== 'allow') {
    if (!user) throw unauthorized();
    throw forbidden({ ...attrs, user: user.name }, decision.reason);
  }
  if (info.kind === 'other' && opts.join && (pathname === CACERTS_PATH || pathname === NODE_CREDENTIAL_PATH)) return handleJoin(opts.join, req, res, pathname, user);
  if (info.kind === 'other') return handleNonResource(opts, req, res, pathname);
  const ext = findExtension(opts.groups, info.group);
  if (ext) return ext.handle({ req, res, info, query: url.searchParams, user: user! });
  return handleResource(opts, req, res, info, url.searchParams, user!, upgrade);
}

/**
 * The namespace a request is authorised in. A namespace is, for RBAC, inside itself (upstream's
 * RequestInfo): a RoleBinding in "team" may grant reading the namespace "team".
 */
function authorizedNamespace(info: ResourceRequest): string | undefined {
  return info.group === '' && info.resource === 'namespaces' && info.name !== undefined ? info.name : info.namespace;
}

async function handleJoin(join: NonNullable<ApiServerOptions['join']>, req: IncomingMessage, res: ServerResponse, pathname: string, user: UserInfo | undefined): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (pathname === CACERTS_PATH) {
    if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(join.caPem) });
    res.end(method === 'HEAD' ? undefined : join.caPem);
    return;
  }
  if (method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const body = decodeBody(await readBody(req, 64 * 1024), mediaType(req));
  writeJSON(res, 200, await join.nodeCredentials.issue(user!, body));
}

function handleNonResource(opts: ApiServerOptions, req: IncomingMessage, res: ServerResponse, pathname: string): void {
  const registry = opts.api.registry;
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const parts = pathname.split('/').filter(Boolean);
  if (pathname === '/version' || pathname === '/version/') return writeJSON(res, 200, serverVersion);
  if (['healthz', 'livez', 'readyz'].includes(parts[0])) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('ok');
    return;
  }
  if (parts[0] === 'openapi') return serveOpenAPI(opts.api.registry, req, res, parts);
  if (parts[0] === 'api' && parts.length === 1) return writeJSON(res, 200, coreVersions(req.headers.host ?? ''));
  if (parts[0] === 'api' && parts.length === 2 && parts[1] === 'v1') return writeJSON(res, 200, resourceList(registry, '', 'v1'));
  if (parts[0] === 'apis' && parts.length === 1) return writeJSON(res, 200, withExtensionGroups(groupList(registry), opts.groups ?? []));
  const ext = parts[0] === 'apis' ? findExtension(opts.groups, parts[1]) : undefined;
  if (ext && parts.length === 2) return writeJSON(res, 200, extensionGroup(ext));
  if (ext && parts.length === 3 && ext.versions.includes(parts[2])) return writeJSON(res, 200, ext.resourceList(parts[2]));
  if (parts[0] === 'apis' && parts.length === 2) {
    const g = group(registry, parts[1]);
    if (g) return writeJSON(res, 200, g);
  }
  if (parts[0] === 'apis' && parts.length === 3 && registry.hasGroupVersion(parts[1], parts[2])) return writeJSON(res, 200, resourceList(registry, parts[1], parts[2]));
  throw pageNotFound();
}

async function handleResource(opts: ApiServerOptions, req: IncomingMessage, res: ServerResponse, info: ResourceRequest, query: URLSearchParams, user: UserInfo, upgrade?: RequestScope['upgrade']): Promise<void> {
  const served = opts.api.registry.lookup(info.group, info.version, info.resource);
  if (!served) throw pageNotFound();
  const def = served.definition;
  if (def.namespaced === false && info.namespace !== undefined) throw pageNotFound();
  const scope: RequestScope = {
    api: opts.api,
    req,
    res,
    info,
    served,
    query,
    user,
    dryRun: parseDryRun(query),
    fieldValidation: parseFieldValidation(query),
    warnings: [],
    upgrade,
  };
  const verbs = def.verbs;
  if (verbs && !verbs.includes(info.verb) && !info.subresource) throw methodNotSupported(def.kind, req.method ?? '');
  const sub = info.subresource;
  if (sub === undefined) return dispatchMain(scope);
  if ((sub === 'status' && def.subresources?.status) || (sub === 'approval' && def.subresources?.approval)) return dispatchStatus(scope);
  if (sub === 'finalize' && def.group === '' && def.resource === 'namespaces' && info.verb === 'update') return handleUpdate(scope);
  if (sub === 'scale' && def.subresources?.scale && ['get', 'update', 'patch'].includes(info.verb)) return handleScale(scope);
  if (def.group === '' && def.resource === 'pods') {
    if (sub === 'binding' && info.verb === 'create') return handleBinding(scope);
    if (nodeProxied.has(sub)) return handleNodeProxied(scope);
  }
  if (def.group === '' && def.resource === 'nodes' && sub === 'proxy') return handleNodeProxy(scope);
  if (def.group === '' && def.resource === 'serviceaccounts' && sub === 'token' && info.verb === 'create') return handleTokenRequest(scope);
  throw pageNotFound();
}

function dispatchMain(scope: RequestScope): Promise<void> {
  switch (scope.info.verb) {
    case 'get':
      return handleGet(scope);
    case 'list':
      return handleList(scope);
    case 'watch':
      return handleWatch(scope);
    case 'create':
      if (scope.info.name !== undefined) throw methodNotSupported(scope.served.definition.kind, 'POST');
      return handleCreate(scope);
    case 'update':
      if (scope.info.name === undefined) throw methodNotSupported(scope.served.definition.kind, 'PUT');
      return handleUpdate(scope);
    case 'patch':
      if (scope.info.name === undefined) throw methodNotSupported(scope.served.definition.kind, 'PATCH');
      return handlePatch(scope);
    case 'delete':
      return handleDelete(scope);
    case 'deletecollection':
      return handleDeleteCollection(scope);
  }
}

function dispatchStatus(scope: RequestScope): Promise<void> {
  switch (scope.info.verb) {
    case 'get':
      return handleGet(scope);
    case 'update':
      return handleUpdate(scope);
    case 'patch':
      return handlePatch(scope);
    default:
      throw methodNotSupported(scope.served.definition.kind, scope.req.method ?? '');
  }
}

/** Upgrades: exec/attach/port-forward streams (proxied to the pod's agent) or an extension's WebSocket. */
function handleUpgrade(opts: ApiServerOptions, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = splitURL(req.url);
  if (!isApiPath(url.pathname)) {
    for (const ext of opts.extensions ?? []) if (ext.handleUpgrade?.(req, socket, head)) return;
    socket.destroy();
    return;
  }
  // Errors before the socket is handed to the agent are plain HTTP answers on the socket.
  socket.on('error', () => undefined);
  const fakeRes = {
    headersSent: false,
    writeHead(code: number, headers: Record<string, string | number>) {
      const lines = [`HTTP/1.1 ${code} ${code === 401 ? 'Unauthorized' : 'Error'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close', '', ''];
      socket.write(lines.join('\r\n'));
    },
    end(body?: string) {
      socket.end(body ?? '');
    },
    destroy() {
      socket.destroy();
    },
  } as unknown as ServerResponse;
  handle(opts, req, fakeRes, { socket, head }).catch((err) => writeError(fakeRes, err));
}
