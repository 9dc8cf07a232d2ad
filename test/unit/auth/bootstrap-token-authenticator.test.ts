// Bootstrap tokens as the API server judges them: <id>.<secret> is system:bootstrap:<id> only
// while its Secret is of the right type, holds the same secret, allows authentication, has not
// expired and is not being deleted; any other bootstrap-shaped token is rejected (401, even
// where anonymous users may go), and other tokens are left to the other authenticators. What a
// bootstrap user may then do: exchange the token, and read public information, nothing else.
import type { IncomingMessage } from 'node:http';
import type { Secret } from 'kubernetes-types/core/v1';
import { describe, expect, it } from 'vitest';
import { AuthenticationRejected, TokenAuthenticator, unionAuthenticator, type Authenticator } from '../../../src-main/auth/authenticator.ts';
import { authorizerChain, bootstrapAuthorizer, mastersAuthorizer, publicInfoAuthorizer, type Attributes } from '../../../src-main/auth/authorizer.ts';
import { NodeAuthorizer } from '../../../src-main/auth/node/node-authorizer.ts';
import { NodeGraph } from '../../../src-main/auth/node/node-graph.ts';
import { BootstrapTokenAuthenticator } from '../../../src-main/auth/bootstrap-token-authenticator.ts';
import { bootstrapTokenSecret } from '../../../src-main/auth/bootstrap-token-secret.ts';

const now = Date.parse('2025-06-01T12:00:00Z');
const inOneHour = new Date(now + 3600_000);
const secrets = new Map<string, Secret>();
const add = (id: string, secret: string, change: (s: Secret) => void = () => undefined) => {
  const s = bootstrapTokenSecret(id, secret, inOneHour, 'test');
  change(s);
  secrets.set(id, s);
};
add('abcdef', '0123456789abcdef');
add('expird', '0123456789abcdef', (s) => (s.data!.expiration = Buffer.from('2025-06-01T11:59:59Z').toString('base64')));
add('nousag', '0123456789abcdef', (s) => (s.data!['usage-bootstrap-authentication'] = Buffer.from('false').toString('base64')));
add('opaque', '0123456789abcdef', (s) => (s.type = 'Opaque'));
add('deletd', '0123456789abcdef', (s) => (s.metadata = { ...s.metadata, deletionTimestamp: '2025-06-01T11:00:00Z' }));
add('otheri', '0123456789abcdef', (s) => (s.data!['token-id'] = Buffer.from('abcdef').toString('base64')));

const bootstrap = new BootstrapTokenAuthenticator({ secret: async (id) => secrets.get(id), now: () => now });
const request = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;

async function outcome(a: Authenticator, authorization?: string): Promise<string> {
  try {
    const u = await a.authenticate(request(authorization));
    return u ? `${u.name} [${u.groups.join(' ')}]` : 'not mine';
  } catch (e) {
    if (e instanceof AuthenticationRejected) return `rejected: ${e.message}`;
    throw e;
  }
}

describe('the bootstrap token authenticator', () => {
  it('knows a valid token as system:bootstrap:<id> in system:bootstrappers', async () => {
    expect(await outcome(bootstrap, 'Bearer abcdef.0123456789abcdef')).toBe('system:bootstrap:abcdef [system:bootstrappers system:authenticated]');
  });

  it('rejects a bootstrap-shaped token its Secret does not vouch for, saying why without the secret', async () => {
    const cases: [string, string][] = [
      ['Bearer abcdef.0123456789abcdee', 'rejected: bootstrap token abcdef: wrong token secret'],
      ['Bearer zzzzzz.0123456789abcdef', 'rejected: bootstrap token zzzzzz: no such token (unknown, used or expired)'],
      ['Bearer expird.0123456789abcdef', 'rejected: bootstrap token expird: token has expired'],
      ['Bearer nousag.0123456789abcdef', 'rejected: bootstrap token nousag: token may not be used for authentication'],
      ['Bearer opaque.0123456789abcdef', 'rejected: bootstrap token opaque: secret has type Opaque'],
      ['Bearer deletd.0123456789abcdef', 'rejected: bootstrap token deletd: token is being deleted'],
      ['Bearer otheri.0123456789abcdef', "rejected: bootstrap token otheri: token id does not match its secret's name"],
    ];
    for (const [header, expected] of cases) expect(await outcome(bootstrap, header), header).toBe(expected);
  });

  it('is valid up to the expiration, not at it', async () => {
    const at = (t: number) => new BootstrapTokenAuthenticator({ secret: async (id) => secrets.get(id), now: () => t });
    expect(await outcome(at(inOneHour.getTime() - 1), 'Bearer abcdef.0123456789abcdef')).toMatch(/^system:bootstrap:abcdef/);
    expect(await outcome(at(inOneHour.getTime()), 'Bearer abcdef.0123456789abcdef')).toBe('rejected: bootstrap token abcdef: token has expired');
  });

  it('leaves other credentials to the other authenticators; the admin token still works', async () => {
    expect(await outcome(bootstrap)).toBe('not mine');
    expect(await outcome(bootstrap, 'Bearer some-admin-token')).toBe('not mine');
    expect(await outcome(bootstrap, 'Basic YTpi')).toBe('not mine');
    const union = unionAuthenticator([new TokenAuthenticator([{ token: 'some-admin-token', user: { name: 'admin', groups: ['system:masters'] } }]), bootstrap]);
    expect(await outcome(union, 'Bearer some-admin-token')).toBe('admin [system:masters]');
    expect(await outcome(union, 'Bearer abcdef.0123456789abcdef')).toMatch(/^system:bootstrap:abcdef/);
    expect(await outcome(union, 'Bearer expird.0123456789abcdef')).toBe('rejected: bootstrap token expird: token has expired');
    expect(await outcome(union, 'Bearer unknown-token')).toBe('not mine');
  });
});

describe('what a bootstrap token may do', () => {
  const chain = authorizerChain([mastersAuthorizer, new NodeAuthorizer(new NodeGraph()), bootstrapAuthorizer, publicInfoAuthorizer]);
  const bootstrapper = { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] };
  const node = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
  const path = (user: Attributes['user'], verb: string, p: string) => chain.authorize({ user, verb, path: p, resourceRequest: false }).decision;
  const resource = (user: Attributes['user'], verb: string, r: string) => chain.authorize({ user, verb, group: '', version: 'v1', resource: r, resourceRequest: true }).decision;

  it('exchanges itself and reads public information, nothing more', () => {
    expect(path(bootstrapper, 'post', '/v1-kubelab/node-credential')).toBe('allow');
    expect(path(bootstrapper, 'get', '/cacerts')).toBe('allow');
    expect(path(bootstrapper, 'get', '/version')).toBe('allow');
    expect(path(bootstrapper, 'get', '/healthz')).toBe('allow');
    expect(path(bootstrapper, 'get', '/v1-kubelab/node-credential')).toBe('deny');
    expect(path(bootstrapper, 'get', '/api')).toBe('deny');
    for (const verb of ['get', 'list', 'create', 'watch']) for (const r of ['nodes', 'pods', 'secrets']) expect(resource(bootstrapper, verb, r)).toBe('deny');
  });

  it('lets a node register, not list secrets, and anyone fetch the CA', () => {
    expect(resource(node, 'create', 'nodes')).toBe('allow');
    expect(resource(node, 'list', 'secrets')).toBe('deny');
    const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    expect(path(anonymous, 'get', '/cacerts')).toBe('allow');
    expect(path(anonymous, 'post', '/v1-kubelab/node-credential')).toBe('deny');
    expect(resource(anonymous, 'get', 'nodes')).toBe('deny');
  });
});
