// Registry auth against the real registry: its `token` mode (Docker Hub's bearer challenge,
// with the test token server) and its `htpasswd` mode (Basic); credentials from pull secrets in
// the dockerconfigjson format and from the node's registry config.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../../src-main/agent/images/image-store.ts';
import { parseDockerConfigJSON } from '../../src-main/agent/images/registry-config.ts';
import { buildBusyboxImage, pushImage } from '../../test/fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../../test/fixtures/images/test-registry.ts';

let work: string;
let count = 0;
const image = buildBusyboxImage();

function newStore(): ImageStore {
  return new ImageStore(join(work, `store-${count++}`));
}

function secret(host: string, user: string, password: string): string {
  return JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kubelab-images-auth-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('bearer token auth (the registry in token mode)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry({ auth: 'token', username: 'alice', password: 'wonderland' });
    const server = registry.tokenServer;
    if (!server) throw new Error('no token server');
    server.publicRepositories.add('team/public');
    for (const repo of ['team/public', 'team/private']) {
      await pushImage({ url: registry.url, authorization: `Bearer ${server.issue(repo, ['pull', 'push'])}` }, repo, 'v1', image);
    }
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('pulls a public image with an anonymous token', async () => {
    const before = registry.tokenServer?.requests.length ?? 0;
    const result = await newStore().pull(`${registry.host}/team/public:v1`);
    expect(result.image.manifestDigest).toBe(image.manifestDigest);
    expect(registry.tokenServer?.requests.slice(before)).toEqual([{ scope: 'repository:team/public:pull', authenticated: false }]);
  });

  it('refuses a private image without credentials, with the registry\'s reason', async () => {
    await expect(newStore().pull(`${registry.host}/team/private:v1`)).rejects.toMatchObject({
      reason: 'ErrImagePull',
      registry: { status: 401, code: 'UNAUTHORIZED' },
      message: expect.stringMatching(/manifests\/v1: 401 UNAUTHORIZED: authentication required/),
    });
  });

  it('pulls a private image with a pull secret (dockerconfigjson)', async () => {
    const before = registry.tokenServer?.requests.length ?? 0;
    const pullSecrets = [parseDockerConfigJSON(secret(`http://${registry.host}`, 'alice', 'wonderland'))];
    const result = await newStore().pull(`${registry.host}/team/private:v1`, { pullSecrets });
    expect(result.layersFetched).toBe(1);
    // One token for the whole pull: manifest, config and layer reuse it.
    expect(registry.tokenServer?.requests.slice(before)).toEqual([{ scope: 'repository:team/private:pull', authenticated: true }]);
  });

  it('reports the token server\'s answer to a wrong password', async () => {
    const pullSecrets = [parseDockerConfigJSON(secret(registry.host, 'alice', 'wrong'))];
    await expect(newStore().pull(`${registry.host}/team/private:v1`, { pullSecrets })).rejects.toMatchObject({
      registry: { status: 401, code: 'UNAUTHORIZED' },
      message: expect.stringMatching(/fetching a token from http:\/\/127\.0\.0\.1:\d+\/token as alice: 401 UNAUTHORIZED: incorrect username or password/),
    });
  });
});

describe('basic auth (the registry in htpasswd mode)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry({ auth: 'htpasswd', username: 'bob', password: 'builder' });
    const authorization = `Basic ${Buffer.from('bob:builder').toString('base64')}`;
    await pushImage({ url: registry.url, authorization }, 'team/app', 'v1', image);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('refuses a pull without credentials', async () => {
    await expect(newStore().pull(`${registry.host}/team/app:v1`)).rejects.toMatchObject({
      registry: { status: 401, code: 'UNAUTHORIZED' },
    });
  });

  it('pulls with the node registry config\'s credentials', async () => {
    const registryConfig = { configs: { [registry.host]: { auth: { username: 'bob', password: 'builder' } } } };
    expect((await newStore().pull(`${registry.host}/team/app:v1`, { registryConfig })).layersFetched).toBe(1);
  });

  it('pulls with a pull secret, and refuses a wrong one', async () => {
    const ok = [{ auths: { [registry.host]: { username: 'bob', password: 'builder' } } }];
    expect((await newStore().pull(`${registry.host}/team/app:v1`, { pullSecrets: ok })).image.names[0]).toBe(
      `${registry.host}/team/app:v1`,
    );
    const wrong = [parseDockerConfigJSON(secret(registry.host, 'bob', 'nope'))];
    await expect(newStore().pull(`${registry.host}/team/app:v1`, { pullSecrets: wrong })).rejects.toMatchObject({
      registry: { status: 401, code: 'UNAUTHORIZED' },
    });
  });
});

describe('a TLS registry (self-signed)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry({ tls: true });
    await pushImage({ url: registry.url, ...(registry.caFile ? { caFile: registry.caFile } : {}) }, 'team/tls', 'v1', image);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  // A loopback registry defaults to plain HTTP; an https:// endpoint for its own host says TLS.
  const mirrors = () => ({ [registry.host]: { endpoint: [registry.url] } });

  it('refuses a certificate nobody trusts', async () => {
    await expect(newStore().pull(`${registry.host}/team/tls:v1`, { registryConfig: { mirrors: mirrors() } })).rejects.toMatchObject({
      reason: 'ErrImagePull',
      message: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+: self[- ]signed certificate/),
    });
  });

  it('pulls with the registry config\'s caFile, or with insecureSkipVerify', async () => {
    const caFile = registry.caFile ?? '';
    const trusted = { mirrors: mirrors(), configs: { [registry.host]: { tls: { caFile } } } };
    expect((await newStore().pull(`${registry.host}/team/tls:v1`, { registryConfig: trusted })).layersFetched).toBe(1);
    const skip = { mirrors: mirrors(), configs: { [registry.host]: { tls: { insecureSkipVerify: true } } } };
    expect((await newStore().pull(`${registry.host}/team/tls:v1`, { registryConfig: skip })).layersFetched).toBe(1);
  });
});
