// The etcd3 client for a Store: several endpoints (the client spreads calls over them and moves
// to another after failures), TLS with a client certificate when given.
import { Etcd3 } from 'etcd3';

export interface EtcdConnection {
  /** Client URLs, e.g. https://10.0.0.1:2379 (all http:// or all https://). */
  endpoints: string[];
  /** TLS: the CA that signed the members' serving certificates, and our client certificate. */
  tls?: { ca: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
  /** How long one call may take before it fails (default 10 s). Watches have no deadline. */
  requestTimeoutMs?: number;
  /** How long to wait for a connection (default 5 s). */
  dialTimeoutMs?: number;
}

const buffer = (b: string | Buffer | undefined) => (b === undefined ? undefined : Buffer.isBuffer(b) ? b : Buffer.from(b));

export function connectEtcd(options: EtcdConnection): Etcd3 {
  if (options.endpoints.length === 0) throw new Error('etcd: no endpoints');
  const timeout = options.requestTimeoutMs ?? 10_000;
  const { tls } = options;
  return new Etcd3({
    hosts: options.endpoints,
    dialTimeout: options.dialTimeoutMs ?? 5_000,
    credentials: tls && { rootCertificate: buffer(tls.ca)!, certChain: buffer(tls.cert), privateKey: buffer(tls.key) },
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeout }),
  });
}
