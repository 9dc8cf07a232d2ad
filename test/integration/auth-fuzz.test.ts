// Fuzzed credentials against a real `kubelab serve`: random and near-miss Authorization headers
// (bearer tokens one character off the admin's, bootstrap-token shapes, Basic, odd schemes and
// spacing, huge values, several headers) on reads and writes. Every one must be 401 — never a
// 200, a 5xx or a hang — nothing may be written, and the server must answer the admin after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { prng } from './harness/fuzz-cases.ts';
import { RawHttp, type RawRequest } from './harness/http.ts';
import { KubelabServer } from './harness/server.ts';

const CASES = 1500;
const CONCURRENCY = 12;
const PRINTABLE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=:;,!@#$%^&*()[]{}<>?|\'"` ';

let server: KubelabServer;
let http: RawHttp;
let adminToken: string;

beforeAll(async () => {
  server = await KubelabServer.start();
  http = new RawHttp(server.url, server.kubeconfigText, CONCURRENCY);
  adminToken = (parse(server.kubeconfigText) as { users: { user: { token: string } }[] }).users[0]!.user.token;
}, 60_000);

afterAll(async () => {
  http?.close();
  await server?.stop();
});

/** Credentials that are not valid, each in a different way. */
function badAuthorization(rand: () => number): string | string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const text = (n: number) => Array.from({ length: n }, () => pick([...PRINTABLE])).join('');
  const hex = (n: number) => Array.from({ length: n }, () => pick([...'0123456789abcdef'])).join('');
  const nearMiss = () => {
    const i = Math.floor(rand() * adminToken.length);
    const c = adminToken[i] === 'a' ? 'b' : 'a';
    return pick([adminToken.slice(0, i) + c + adminToken.slice(i + 1), adminToken.slice(0, -1), `${adminToken}x`, adminToken.toUpperCase(), ` ${adminToken}x`]);
  };
  switch (Math.floor(rand() * 9)) {
    case 0: return `Bearer ${nearMiss()}`;
    case 1: return `Bearer ${hex(6)}.${hex(16)}`; // a bootstrap token no Secret backs
    case 2: return `Bearer K10${hex(64)}::${hex(6)}.${hex(16)}`; // a join token's full form
    case 3: return `Basic ${Buffer.from(`admin:${text(12)}`).toString('base64')}`;
    case 4: return `${pick(['Bearer', 'bearer', 'BEARER', 'Token', 'Negotiate', ''])}${pick([' ', '  ', '\t', ''])}${text(1 + Math.floor(rand() * 80))}`;
    case 5: return `Bearer ${text(2000 + Math.floor(rand() * 6000))}`;
    case 6: return `Bearer ${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'system:admin', groups: ['system:masters'] })).toString('base64url')}.`;
    case 7: return [`Bearer ${nearMiss()}`, `Bearer ${text(20)}`];
    default: return pick(['Bearer', 'Bearer ', ' ', 'Bearer  ', `Bearer ${adminToken} ${adminToken}`]);
  }
}

function fuzzCases(count: number): RawRequest[] {
  const rand = prng(20261202);
  const targets: [string, string, string?][] = [
    ['GET', '/api/v1/namespaces/default/pods'],
    ['GET', '/api/v1/secrets'],
    ['GET', '/apis/apps/v1/deployments?watch=true&timeoutSeconds=1'],
    ['POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzzed' }, data: { a: 'b' } })],
    ['DELETE', '/api/v1/namespaces/default'],
    ['POST', '/v1-kubelab/node-credential', JSON.stringify({ nodeName: 'evil', publicKeyPem: 'x' })],
  ];
  return Array.from({ length: count }, () => {
    const [method, path, body] = targets[Math.floor(rand() * targets.length)]!;
    const auth = badAuthorization(rand);
    return { method, path, body, auth: 'none', headers: { Authorization: Array.isArray(auth) ? auth.join(', ') : auth, ...(body ? { 'Content-Type': 'application/json' } : {}) } };
  });
}

describe('fuzz: credentials', () => {
  it('answers every bad credential with 401, writes nothing, and still serves the admin', async () => {
    const cases = fuzzCases(CASES);
    const seen = new Map<number, number>();
    const wrong: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const { status, body } = await http.request(c);
        seen.set(status, (seen.get(status) ?? 0) + 1);
        // 431 is Node's own answer to a header block over its limit: refused before anyone reads it.
        if (status !== 401 && status !== 431) wrong.push(`${c.method} ${c.path} [${c.headers!.Authorization!.slice(0, 60)}] → ${status} ${body.slice(0, 120)}`);
        else if (status === 401) expect(JSON.parse(body)).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
      }
    }));
    expect(wrong).toEqual([]);
    expect(seen.get(401)).toBeGreaterThan(CASES * 0.9);
    // Nothing got through: no ConfigMap, no namespace deleted, the admin answered at once.
    const cm = await http.request({ method: 'GET', path: '/api/v1/namespaces/default/configmaps/fuzzed' });
    expect(cm.status).toBe(404);
    expect((await http.request({ method: 'GET', path: '/api/v1/namespaces/default' })).status).toBe(200);
    expect((await http.request({ method: 'GET', path: '/readyz', auth: 'none' })).status).toBe(200);
  });
});
