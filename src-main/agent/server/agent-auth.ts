// Who may call the agent: the kubelet's x509 authenticator (a client certificate the cluster CA
// signed) and an authorizer that lets in only the API server's kubelet client. The TLS layer
// asks for a certificate but accepts any, so that the answer is the kubelet's HTTP one: 401
// "Unauthorized" for no certificate or one the CA did not sign, 403 with the kubelet's
// "Forbidden (user=…, verb=…, resource=nodes, subresource(s)=[…])" for another user.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export const API_SERVER_CLIENT_CN = 'kube-apiserver-kubelet-client';

export type AuthResult = { allowed: true; user: string } | { allowed: false; code: 401 | 403; message: string };

const verbs: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The node subresource a path is authorized as (the kubelet's NodeRequestAttributesGetter). */
function subresourceOf(path: string): string {
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  if (under('/stats')) return 'stats';
  if (under('/metrics')) return 'metrics';
  if (under('/logs')) return 'log';
  if (under('/checkpoint')) return 'checkpoint';
  return 'proxy';
}

export function authorizeAgentRequest(req: IncomingMessage, path: string): AuthResult {
  const socket = req.socket as TLSSocket;
  const cert = socket.getPeerCertificate?.();
  // socket.authorized: the chain verified against the cluster CA given as `ca`.
  if (!cert || !cert.subject || !socket.authorized) return { allowed: false, code: 401, message: 'Unauthorized' };
  const cn = [cert.subject.CN].flat()[0] ?? '';
  if (cn === API_SERVER_CLIENT_CN) return { allowed: true, user: cn };
  const verb = verbs[(req.method ?? 'GET').toUpperCase()] ?? '';
  return { allowed: false, code: 403, message: `Forbidden (user=${cn}, verb=${verb}, resource=nodes, subresource(s)=[${subresourceOf(path)}])` };
}
