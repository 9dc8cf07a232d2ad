// The resource views' main-side calls: a Secret value comes back decoded (or as base64 when it is
// not text), and bad input is refused before anything reaches the API server.
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../../src-main/bridge/method.ts';
import { namespaceNameProblem } from '../../../src-main/bridge/namespace-name.ts';
import { createServices } from '../../../src-main/bridge/services/index.ts';
import { decodeSecretValue } from '../../../src-main/bridge/services/resources.ts';
import type { Session } from '../../../src-main/bridge/session.ts';
import type { KubeClient } from '../../../src-main/client/kube-client.ts';

const b64 = (bytes: string | Uint8Array) => Buffer.from(bytes).toString('base64');

/** A client that serves one Secret and records every request it gets. */
function clientWith(data: Record<string, string>) {
  const calls: string[] = [];
  const client = {
    async get(gvr: { resource: string }, namespace: string, name: string) {
      calls.push(`get ${gvr.resource} ${namespace}/${name}`);
      return { metadata: { namespace, name }, data };
    },
    async create(gvr: { resource: string }, obj: { metadata: { name: string } }) {
      calls.push(`create ${gvr.resource} ${obj.metadata.name}`);
      return obj;
    },
  };
  const table = createServices({ client: client as unknown as KubeClient });
  const call = (method: string, params: unknown) => dispatch(table, method, params, { session: {} as Session });
  return { calls, call };
}

describe('decodeSecretValue', () => {
  it('decodes UTF-8 text, multi-byte characters included', () => {
    expect(decodeSecretValue(b64('hunter2'))).toEqual({ value: 'hunter2', binary: false });
    expect(decodeSecretValue(b64('contraseña ✓\n'))).toEqual({ value: 'contraseña ✓\n', binary: false });
    expect(decodeSecretValue('')).toEqual({ value: '', binary: false });
  });

  it('keeps bytes that are not UTF-8 as base64 and says they are binary', () => {
    const der = b64(new Uint8Array([0x30, 0x82, 0xff, 0xfe, 0x00, 0xc3]));
    expect(decodeSecretValue(der)).toEqual({ value: der, binary: true });
  });
});

describe('revealSecret', () => {
  it('reads the one value asked for', async () => {
    const { calls, call } = clientWith({ password: b64('s3cret'), other: b64('x') });
    await expect(call('revealSecret', { namespace: 'apps', name: 'db', key: 'password' })).resolves.toEqual({ value: 's3cret', binary: false });
    expect(calls).toEqual(['get secrets apps/db']);
  });

  it('says which key is missing', async () => {
    const { call } = clientWith({ password: b64('s3cret') });
    await expect(call('revealSecret', { namespace: 'apps', name: 'db', key: 'token' })).rejects.toMatchObject({ message: 'secret apps/db has no key "token"', code: 404 });
  });

  it('refuses bad names and keys without asking the server', async () => {
    const { calls, call } = clientWith({});
    await expect(call('revealSecret', { namespace: 'Apps', name: 'db', key: 'k' })).rejects.toMatchObject({ code: 400, message: 'revealSecret: namespace must be a valid Kubernetes name' });
    await expect(call('revealSecret', { namespace: 'apps', name: 'db', key: '../x y' })).rejects.toMatchObject({ code: 400, message: 'revealSecret: key must be a valid Secret data key' });
    await expect(call('revealSecret', { namespace: 'apps', name: 'db' })).rejects.toMatchObject({ code: 400, message: 'revealSecret: key must be a string' });
    expect(calls).toEqual([]);
  });
});

describe('createNamespace', () => {
  it('creates a namespace with a valid name', async () => {
    const { calls, call } = clientWith({});
    await expect(call('createNamespace', { name: 'team-a' })).resolves.toBeNull();
    expect(calls).toEqual(['create namespaces team-a']);
  });

  it('refuses a name that is not a DNS-1123 label, in the API server\'s words, and sends nothing', async () => {
    const { calls, call } = clientWith({});
    for (const name of ['Team', 'a.b', '-a', 'a-', 'x'.repeat(64), '']) {
      await expect(call('createNamespace', { name })).rejects.toMatchObject({ code: 400 });
    }
    expect(calls).toEqual([]);
  });
});

describe('namespaceNameProblem', () => {
  it('accepts DNS-1123 labels up to 63 characters', () => {
    for (const name of ['a', 'team-a', '123-abc', 'x'.repeat(63)]) expect(namespaceNameProblem(name)).toBeUndefined();
  });

  it('names the problem', () => {
    expect(namespaceNameProblem('')).toBe('a namespace needs a name');
    expect(namespaceNameProblem('x'.repeat(64))).toContain('must be no more than 63 characters');
    expect(namespaceNameProblem('My_NS')).toMatch(/^invalid namespace name "My_NS": a lowercase RFC 1123 label must consist of/);
  });
});
