import { describe, expect, it } from 'vitest';
import { ImageError } from '../../../../src-main/agent/images/image-error.ts';
import { defaultPullPolicy, shouldPull } from '../../../../src-main/agent/images/pull-policy.ts';
import { formatImageReference, parseImageReference } from '../../../../src-main/agent/images/reference.ts';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('parseImageReference', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['team/app', 'docker.io/team/app:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
    ['registry.local:5000/team/app:1.2', 'registry.local:5000/team/app:1.2'],
    ['registry.local/team/sub/app', 'registry.local/team/sub/app:latest'],
    ['localhost/x', 'localhost/x:latest'],
    ['localhost:5000/x', 'localhost:5000/x:latest'],
    ['127.0.0.1:5000/a/b:v1', '127.0.0.1:5000/a/b:v1'],
    ['[::1]:5000/app', '[::1]:5000/app:latest'],
    [`host.example/app@${digest}`, `host.example/app@${digest}`],
    [`busybox:1.36@${digest}`, `docker.io/library/busybox:1.36@${digest}`],
    ['my_app/with-dash__x.y:Tag_1.0-rc', 'docker.io/my_app/with-dash__x.y:Tag_1.0-rc'],
  ])('%s → %s', (input, canonical) => {
    expect(formatImageReference(parseImageReference(input))).toBe(canonical);
  });

  it('splits registry, repository, tag and digest', () => {
    expect(parseImageReference('registry.local:5000/team/app:1.2')).toEqual({
      registry: 'registry.local:5000',
      repository: 'team/app',
      tag: '1.2',
    });
    expect(parseImageReference(`host/app@${digest}`)).toEqual({ registry: 'docker.io', repository: 'host/app', digest });
    expect(parseImageReference(`h.io/app@${digest}`)).toEqual({ registry: 'h.io', repository: 'app', digest });
  });

  it('a first component in upper case is a host (repositories cannot be)', () => {
    expect(parseImageReference('MyHost/app').registry).toBe('MyHost');
  });

  it.each([
    ['', /empty reference/],
    ['Busybox', /repository name \(library\/Busybox\) must be lowercase/],
    ['docker.io/Team/app', /must be lowercase/],
    ['busybox:', /invalid tag ""/],
    ['busybox:-bad', /invalid tag "-bad"/],
    [`busybox:${'t'.repeat(129)}`, /invalid tag/],
    ['busybox@sha256:abc', /invalid digest/],
    [`busybox@sha256:${'AB'.repeat(32)}`, /64 lower-case hex/],
    [`busybox@md5:${'ab'.repeat(16)}`, /unsupported digest algorithm/],
    ['bad..name', /invalid repository name/],
    ['-app', /invalid repository name/],
    ['app/', /invalid repository name/],
    ['host:port:bad/app', /invalid registry host/],
    ['ab'.repeat(32), /64-byte hexadecimal/],
    [`reg.io/${'a'.repeat(250)}`, /not be more than 255 characters/],
  ])('refuses %j', (input, message) => {
    let error: unknown;
    try {
      parseImageReference(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).reason).toBe('InvalidImageName');
    expect((error as ImageError).message).toMatch(/^invalid reference format/);
    expect((error as ImageError).message).toMatch(message);
  });
});

describe('pull policy', () => {
  it('defaults as the API server does', () => {
    expect(defaultPullPolicy('busybox')).toBe('Always');
    expect(defaultPullPolicy('busybox:latest')).toBe('Always');
    expect(defaultPullPolicy('localhost:5000/x')).toBe('Always');
    expect(defaultPullPolicy('busybox:1.36')).toBe('IfNotPresent');
    expect(defaultPullPolicy('localhost:5000/x:v1')).toBe('IfNotPresent');
    expect(defaultPullPolicy(`busybox@${digest}`)).toBe('IfNotPresent');
    expect(defaultPullPolicy(`busybox:latest@${digest}`)).toBe('Always');
  });

  it('decides whether to pull', () => {
    expect(shouldPull('Always', true, 'x')).toBe(true);
    expect(shouldPull('IfNotPresent', true, 'x')).toBe(false);
    expect(shouldPull('IfNotPresent', false, 'x')).toBe(true);
    expect(shouldPull('Never', true, 'x')).toBe(false);
    expect(() => shouldPull('Never', false, 'busybox:1')).toThrow(
      expect.objectContaining({
        reason: 'ErrImageNeverPull',
        message: 'Container image "busybox:1" is not present with pull policy of Never',
      }),
    );
  });
});
