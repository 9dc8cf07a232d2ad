// Reads the parts of a kubeconfig a client needs to connect: the server URL, the CA to pin and the
// credentials, for one context (the current one unless named). File references
// (certificate-authority, token-file ...) are resolved relative to nothing — callers that load a
// kubeconfig from disk pass its directory so relative paths work as they do for kubectl.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

export interface ConnectionConfig {
  /** Base URL of the API server, e.g. https://127.0.0.1:6443. */
  server: string;
  /** Bearer token. */
  token?: string;
  /** PEM of the CA that signed the server's certificate; when set, only it is trusted. */
  ca?: string;
  /** PEM client certificate and key (x509 client auth). */
  cert?: string;
  key?: string;
  insecureSkipTLSVerify?: boolean;
  /** TLS server name to verify instead of the URL's host. */
  tlsServerName?: string;
}

interface NamedEntry<T> { name?: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }
type Dict = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function find(list: unknown, name: string, what: string): Dict {
  if (!Array.isArray(list)) throw new Error(`kubeconfig has no ${what}s`);
  const entry = (list as NamedEntry<Dict>[]).find((e) => e && e.name === name);
  const body = entry?.[what];
  if (!body || typeof body !== 'object') throw new Error(`kubeconfig has no ${what} named "${name}"`);
  return body as Dict;
}

/** Parses kubeconfig YAML (or JSON) and resolves one context to connection settings. */
export function parseKubeconfig(text: string, context?: string, baseDir?: string): ConnectionConfig {
  const doc: unknown = parse(text);
  if (!doc || typeof doc !== 'object') throw new Error('kubeconfig is empty or not a mapping');
  const cfg = doc as Dict;
  const ctxName = context ?? str(cfg['current-context']);
  if (!ctxName) throw new Error('kubeconfig has no current-context and none was given');
  const ctx = find(cfg.contexts, ctxName, 'context');
  const clusterName = str(ctx.cluster);
  if (!clusterName) throw new Error(`context "${ctxName}" names no cluster`);
  const cluster = find(cfg.clusters, clusterName, 'cluster');
  const userName = str(ctx.user);
  const user: Dict = userName ? find(cfg.users, userName, 'user') : {};

  const readRef = (p: unknown): string | undefined => {
    const path = str(p);
    if (!path) return undefined;
    return readFileSync(baseDir && !isAbsolute(path) ? join(baseDir, path) : path, 'utf8');
  };
  const b64 = (v: unknown): string | undefined => {
    const s = str(v);
    return s ? Buffer.from(s, 'base64').toString('utf8') : undefined;
  };

  const server = str(cluster.server);
  if (!server) throw new Error(`cluster "${clusterName}" has no server`);
  const tokenFile = readRef(user.tokenFile ?? user['token-file']);
  return {
    server,
    token: str(user.token) ?? tokenFile?.trim(),
    ca: b64(cluster['certificate-authority-data']) ?? readRef(cluster['certificate-authority']),
    cert: b64(user['client-certificate-data']) ?? readRef(user['client-certificate']),
    key: b64(user['client-key-data']) ?? readRef(user['client-key']),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: str(cluster['tls-server-name']),
  };
}
