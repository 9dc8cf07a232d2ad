// How the control plane reaches a node's agent, as kube-apiserver reaches kubelets: HTTPS to the
// Node's InternalIP at the port its status.daemonEndpoints.kubeletEndpoint reports, with the
// client certificate the control plane issued itself (CN=kube-apiserver-kubelet-client,
// O=system:masters). The agent's serving certificate must be signed by the cluster CA and name
// the address dialled, as kube-apiserver checks with --kubelet-certificate-authority, and be
// that node's (its CN): a machine that took over a node's address cannot pass for its agent.
//
//   const res = await agents.request('node-a', '/stats/summary');      // an http.IncomingMessage
//   const summary = await agents.getJSON<Summary>('node-a', '/stats/summary');
//   const { socket } = await agents.connect('node-a');                 // a TLS socket, for upgrades
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { NODE_USER_PREFIX } from '../../auth/join-protocol.ts';
import type { Node } from 'kubernetes-types/core/v1';
import { ApiError, notFound } from '../status.ts';

export interface AgentLocation {
  host: string;
  port: number;
}

export interface AgentConnectorOptions {
  clientCert: { certPem: string; keyPem: string };
  /** The cluster CA: the agents' serving certificates must chain to it. */
  caPem: string;
  /** The Node by name, as stored (undefined when there is none). */
  node(name: string): Promise<Node | undefined>;
}

export interface AgentRequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  /** A body to send (piped, for a proxied request). */
  body?: NodeJS.ReadableStream;
  signal?: AbortSignal;
}

export class AgentConnector {
  private readonly agent: Agent;
  /** Raw connections (proxied exec, attach, port-forward sessions), ended by close(). */
  private readonly sockets = new Set<TLSSocket>();

  constructor(private readonly opts: AgentConnectorOptions) {
    this.agent = new Agent({ ...this.tlsOptions(), keepAlive: true });
  }

  /** Where the node's agent listens; ApiErrors for no node (404) or no agent endpoint (503). */
  async location(nodeName: string): Promise<AgentLocation> {
    const node = await this.opts.node(nodeName);
    if (!node) throw notFound('', 'nodes', nodeName);
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
    const host = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (!port || !host) throw noAgent(nodeName);
    return { host, port };
  }

  /** A request to the agent; resolves with its response (any status), whose body the caller reads. */
  async request(nodeName: string, path: string, opts: AgentRequestOptions = {}): Promise<IncomingMessage> {
    const { host, port } = await this.location(nodeName);
    const method = opts.method ?? 'GET';
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ host, port, path, method, headers: opts.headers, agent: this.agent, signal: opts.signal, checkServerIdentity: agentIdentity(nodeName) }, resolve);
      req.on('error', (err) => reject(dialError(method, host, port, path, err)));
      if (opts.body) opts.body.pipe(req);
      else req.end();
    });
  }

  /** A JSON document from the agent; a non-2xx answer is an InternalError with the agent's words. */
  async getJSON<T>(nodeName: string, path: string, signal?: AbortSignal): Promise<T> {
    const res = await this.request(nodeName, path, { signal, headers: { accept: 'application/json' } });
    const chunks: Buffer[] = [];
    for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    const code = res.statusCode ?? 500;
    if (code < 200 || code > 299) throw new ApiError(500, 'InternalError', `the agent on node "${nodeName}" answered ${path} with ${code}: ${text.trim()}`);
    return JSON.parse(text) as T;
  }

  /** A TLS connection to the agent with the client certificate, for a request written raw. */
  async connect(nodeName: string): Promise<{ socket: TLSSocket; location: AgentLocation }> {
    const location = await this.location(nodeName);
    const { host, port } = location;
    const socket = tlsConnect({ host, port, ...this.tlsOptions(), checkServerIdentity: agentIdentity(nodeName), ...(isIP(host) ? {} : { servername: host }) });
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', (err) => reject(dialError('CONNECT', host, port, '', err)));
    });
    return { socket, location };
  }

  private tlsOptions() {
    return { cert: this.opts.clientCert.certPem, key: this.opts.clientCert.keyPem, ca: this.opts.caPem, rejectUnauthorized: true } as const;
  }

  close(): void {
    this.agent.destroy();
    for (const s of this.sockets) s.destroy();
  }
}

/**
 * The address check kube-apiserver makes, and one beyond it: the certificate must be the node's
 * own (CN=system:node:<name>, as its serving CSR asked). A compromised node could report another
 * node's address and get a certificate naming it; it still cannot answer for that node.
 */
function agentIdentity(nodeName: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const wrongAddress = checkServerIdentity(host, cert);
    if (wrongAddress) return wrongAddress;
    const cn = [cert.subject?.CN ?? []].flat()[0];
    if (cn === `${NODE_USER_PREFIX}${nodeName}`) return undefined;
    return Object.assign(new Error(`the certificate is for "${cn ?? ''}", not for ${NODE_USER_PREFIX}${nodeName}`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  };
}

export function noAgent(nodeName: string, subresource = 'log'): ApiError {
  return new ApiError(503, 'ServiceUnavailable', `pods/${subresource} needs the Kubelab agent on node "${nodeName}", and no agent is connected for it`);
}

/** OpenSSL's codes for a peer certificate that does not verify (Node's TLS errors). */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Go's wording for a backend that cannot be reached (`error dialing backend: dial tcp …`) or
 * whose certificate does not verify (`tls: failed to verify certificate: …`), with what to look
 * at: an agent waits for its serving certificate until its request is signed.
 */
function dialError(method: string, host: string, port: number, path: string, err: Error & { code?: string }): ApiError {
  const target = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  const what = method === 'CONNECT' ? 'error dialing backend' : `${method[0]}${method.slice(1).toLowerCase()} "https://${target}${path}"`;
  if (err.code && CERTIFICATE_ERRORS.has(err.code)) {
    return new ApiError(500, 'InternalError', `${what}: tls: failed to verify certificate: ${err.message} (the agent's serving certificate must be issued by the cluster CA for this node and address: see kubectl get csr)`);
  }
  return new ApiError(500, 'InternalError', `${what}: dial tcp ${target}: ${err.message}`);
}
