// How a new node joins with a token K10<CA hash>::<id>.<secret> (k3s' agent bootstrap): fetch
// the CA from /cacerts without trusting anyone yet, and compare its hash with the token's, so a
// server that is not the cluster's never sees the token; then, with TLS verified against that
// CA, send a fresh public key with the token and get the node's certificate back. The private
// key is made here and never leaves the node.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import https from 'node:https';
import type { JoinToken } from '../../auth/bootstrap-token.ts';
import { caHash } from '../../auth/bootstrap-token.ts';
import { CACERTS_PATH, NODE_CREDENTIAL_PATH, type NodeCredentialRequest, type NodeCredentialResponse } from '../../auth/join-protocol.ts';
import { credentialProblem, nodeKubeconfigPath, readNodeKubeconfig, writeNodeKubeconfig } from './node-kubeconfig.ts';

/** The join cannot go on (wrong CA, token refused): one line for the user, exit 1. */
export class JoinError extends Error {}

export interface JoinOptions {
  /** https://host:port of the API server. */
  server: string;
  token?: JoinToken;
  /** The --token-file given, when it does not exist (used and deleted after an earlier join). */
  absentTokenFile?: string;
  stateDir: string;
  nodeName: string;
  log(line: string): void;
}

const TIMEOUT_MS = 30_000;

interface Answer {
  status: number;
  body: string;
}

function send(url: URL, opts: { method: string; ca?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: opts.method,
      headers: opts.headers,
      // Without a CA: nothing is trusted yet, and nothing secret is sent (the CA is checked by hash).
      ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
      timeout: TIMEOUT_MS,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

function statusMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { message?: unknown };
    if (typeof s.message === 'string') return s.message;
  } catch { /* not a Status */ }
  return body.trim().slice(0, 200);
}

/** The CA the server presents, fetched without verification, checked against the token's hash. */
async function fetchTrustedCA(server: string, token: JoinToken): Promise<string> {
  let answer: Answer;
  try {
    answer = await send(new URL(CACERTS_PATH, server), { method: 'GET' });
  } catch (e) {
    throw new JoinError(`cannot reach the API server at ${server}: ${(e as Error).message}`);
  }
  if (answer.status !== 200) throw new JoinError(`the server at ${server} answered ${answer.status} for ${CACERTS_PATH}: it is not a Kubelab API server`);
  const got = caHash(answer.body);
  if (got !== token.caHash) throw new JoinError(`the server at ${server} presents a CA whose hash ${got} does not match the join token: refusing to send the token`);
  return answer.body;
}

async function requestCertificate(server: string, caPem: string, token: JoinToken, body: NodeCredentialRequest): Promise<string> {
  let answer: Answer;
  try {
    answer = await send(new URL(NODE_CREDENTIAL_PATH, server), {
      method: 'POST',
      ca: caPem,
      headers: { Authorization: `Bearer ${token.id}.${token.secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new JoinError(`cannot ask the API server at ${server} for a node credential: ${(e as Error).message}`);
  }
  if (answer.status === 401) throw new JoinError(`the API server at ${server} refused the join token (401 Unauthorized): it is unknown, expired or already used; make a new one`);
  if (answer.status !== 200) throw new JoinError(`the API server at ${server} refused the node credential (${answer.status}): ${statusMessage(answer.body)}`);
  const cert = (JSON.parse(answer.body) as Partial<NodeCredentialResponse>).certificatePem;
  if (typeof cert !== 'string') throw new JoinError(`the API server at ${server} answered no certificate`);
  return cert;
}

/** Joins: a fresh key pair, the token exchanged for its certificate, the kubeconfig written. */
async function join(opts: JoinOptions & { token: JoinToken }, path: string): Promise<void> {
  const caPem = await fetchTrustedCA(opts.server, opts.token);
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const certPem = await requestCertificate(opts.server, caPem, opts.token, { nodeName: opts.nodeName, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  const problem = credentialProblem({ caPem, certPem, keyPem }, opts.nodeName);
  if (problem) throw new JoinError(`the API server at ${opts.server} answered a certificate that is not this node's: ${problem}`);
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  writeNodeKubeconfig(path, opts.nodeName, { server: opts.server, caPem, certPem, keyPem });
  opts.log(`agent: joined the cluster at ${opts.server} as system:node:${opts.nodeName} (credential in ${path})`);
}

/**
 * The kubeconfig the agent runs with: <state-dir>/kubeconfig when it holds this node's valid
 * credential (from the token's cluster, when a token is given), else one made by joining.
 */
export async function ensureNodeKubeconfig(opts: JoinOptions): Promise<string> {
  const path = nodeKubeconfigPath(opts.stateDir);
  const saved = readNodeKubeconfig(path, opts.nodeName);
  if ('credential' in saved && (!opts.token || caHash(saved.credential.caPem) === opts.token.caHash)) return path;
  const problem = 'problem' in saved ? saved.problem : '';
  if (!opts.token && opts.absentTokenFile) throw new JoinError(`no node credential to run with (${problem}), and the join token file ${opts.absentTokenFile} does not exist`);
  if (!opts.token) throw new JoinError(`no node credential to run with (${problem}): give a join token with --token or --token-file`);
  await join({ ...opts, token: opts.token }, path);
  return path;
}
