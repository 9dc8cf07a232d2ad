import { describe, expect, it } from 'vitest';
import { selectManifest } from '../../../../src-main/agent/images/platform.ts';
import type { Descriptor } from '../../../../src-main/agent/images/manifest.ts';
import { parseChallenge } from '../../../../src-main/agent/images/registry-auth.ts';
import {
  credentialsFor,
  isLoopbackHost,
  parseDockerConfigJSON,
  registryEndpoints,
} from '../../../../src-main/agent/images/registry-config.ts';

describe('registry endpoints', () => {
  it('uses plain HTTP only on loopback, HTTPS elsewhere, registry-1 for Docker Hub', () => {
    expect(registryEndpoints('127.0.0.1:5000').map(String)).toEqual(['http://127.0.0.1:5000/']);
    expect(registryEndpoints('localhost:5000').map(String)).toEqual(['http://localhost:5000/']);
    expect(registryEndpoints('[::1]:5000').map(String)).toEqual(['http://[::1]:5000/']);
    expect(registryEndpoints('registry.local:5000').map(String)).toEqual(['https://registry.local:5000/']);
    expect(registryEndpoints('docker.io').map(String)).toEqual(['https://registry-1.docker.io/']);
    expect(isLoopbackHost('127.1.2.3:80')).toBe(true);
    expect(isLoopbackHost('10.0.0.1:5000')).toBe(false);
  });

  it('tries mirrors first (an http:// mirror is a plain-HTTP registry), then the registry', () => {
    const config = { mirrors: { 'docker.io': { endpoint: ['http://10.0.0.5:5000', 'https://mirror.example/v2/'] } } };
    expect(registryEndpoints('docker.io', config).map(String)).toEqual([
      'http://10.0.0.5:5000/',
      'https://mirror.example/',
      'https://registry-1.docker.io/',
    ]);
    // An endpoint on the registry's own host is the registry, with the scheme it names.
    expect(registryEndpoints('reg.lan:5000', { mirrors: { 'reg.lan:5000': { endpoint: ['http://reg.lan:5000'] } } }).map(String)).toEqual([
      'http://reg.lan:5000/',
    ]);
    expect(registryEndpoints('127.0.0.1:5000', { mirrors: { '127.0.0.1:5000': { endpoint: ['https://127.0.0.1:5000'] } } }).map(String)).toEqual([
      'https://127.0.0.1:5000/',
    ]);
    expect(registryEndpoints('quay.io', { mirrors: { '*': { endpoint: ['mirror.lan'] } } }).map(String)).toEqual([
      'https://mirror.lan/',
      'https://quay.io/',
    ]);
  });
});

describe('credentials', () => {
  const auth = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');

  it('reads pull secrets by host, URL, Docker Hub alias and *.domain glob, in order', () => {
    const secrets = [
      parseDockerConfigJSON(JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: auth('hub', 'h') } } })),
      parseDockerConfigJSON(JSON.stringify({ auths: { 'reg.lan:5000': { username: 'u', password: 'p' }, '*.corp.io': { auth: auth('g', 'x:y') } } })),
    ];
    expect(credentialsFor('docker.io', undefined, {}, secrets)).toEqual({ username: 'hub', password: 'h' });
    expect(credentialsFor('reg.lan:5000', undefined, {}, secrets)).toEqual({ username: 'u', password: 'p' });
    expect(credentialsFor('a.corp.io', undefined, {}, secrets)).toEqual({ username: 'g', password: 'x:y' });
    expect(credentialsFor('a.b.corp.io', undefined, {}, secrets)).toBeUndefined();
    expect(credentialsFor('reg.lan', undefined, {}, secrets)).toBeUndefined();
  });

  it('falls back to the node config, keyed by the endpoint host or the registry', () => {
    const config = {
      configs: { 'mirror.lan': { auth: { username: 'm', password: '1' } }, 'quay.io': { auth: { auth: auth('q', '2') } } },
    };
    expect(credentialsFor('docker.io', new URL('https://mirror.lan'), config)).toEqual({ username: 'm', password: '1' });
    expect(credentialsFor('quay.io', new URL('https://quay.io'), config)).toEqual({ username: 'q', password: '2' });
    expect(credentialsFor('ghcr.io', new URL('https://ghcr.io'), config)).toBeUndefined();
  });

  it('accepts the legacy .dockercfg shape and refuses non-objects', () => {
    expect(parseDockerConfigJSON('{"h":{"auth":"dTpw"}}').auths).toEqual({ h: { auth: 'dTpw' } });
    expect(() => parseDockerConfigJSON('"x"')).toThrow(/not a JSON object/);
  });
});

describe('WWW-Authenticate', () => {
  it('parses a bearer challenge with quoted commas', () => {
    expect(
      parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"'),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
  });
});

describe('platform selection', () => {
  const d = (architecture: string, variant?: string, os = 'linux'): Descriptor => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${architecture}${variant ?? ''}`,
    size: 1,
    platform: { os, architecture, ...(variant ? { variant } : {}) },
  });
  const index = [d('amd64', undefined, 'windows'), d('unknown', undefined, 'unknown'), d('arm', 'v6'), d('arm', 'v7'), d('arm64', 'v8'), d('amd64')];

  it('matches os and architecture, the exact variant first, then older ones', () => {
    expect(selectManifest(index, { os: 'linux', architecture: 'amd64' })?.digest).toBe('sha256:amd64');
    expect(selectManifest(index, { os: 'linux', architecture: 'arm64', variant: 'v8' })?.digest).toBe('sha256:arm64v8');
    expect(selectManifest([d('arm64')], { os: 'linux', architecture: 'arm64', variant: 'v8' })?.digest).toBe('sha256:arm64');
    expect(selectManifest(index, { os: 'linux', architecture: 'arm', variant: 'v7' })?.digest).toBe('sha256:armv7');
    expect(selectManifest([d('arm', 'v6'), d('arm', 'v5')], { os: 'linux', architecture: 'arm', variant: 'v7' })?.digest).toBe('sha256:armv6');
    expect(selectManifest([d('arm', 'v7')], { os: 'linux', architecture: 'arm', variant: 'v6' })).toBeUndefined();
    expect(selectManifest(index, { os: 'linux', architecture: 's390x' })).toBeUndefined();
  });
});
