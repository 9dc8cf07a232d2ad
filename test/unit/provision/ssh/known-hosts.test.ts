import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostKeyAlgorithmsFor, hostKeyOf, sha256Fingerprint } from '../../../../src-main/provision/ssh/host-key.ts';
import { KnownHosts, knownHostName } from '../../../../src-main/provision/ssh/known-hosts.ts';

// The public half of an ed25519 key and the fingerprint `ssh-keygen -lf` prints for it.
const PUB = 'AAAAC3NzaC1lZDI1NTE5AAAAIL8L0Rrkd6z7J2vl8Pe354R0r9MBocwgpAkZO2QU0IgK';
const FINGERPRINT = 'SHA256:QF1iycbuwnxZCyWSpDkn0rESbI9xdZrIaINGOPYo+cE';
const blob = Buffer.from(PUB, 'base64');

describe('host keys', () => {
  it('are fingerprinted as OpenSSH prints them, with the algorithm from the blob', () => {
    const key = hostKeyOf(blob);
    expect(key.algorithm).toBe('ssh-ed25519');
    expect(key.fingerprint).toBe(FINGERPRINT);
    expect(sha256Fingerprint(blob)).toBe(FINGERPRINT);
    expect(key.key).toBe(PUB);
    expect(hostKeyOf(Buffer.from([0, 0, 0, 9, 1])).algorithm).toBe('unknown');
  });

  it('offer the pinned algorithm first, so the server shows the key that was pinned', () => {
    expect(hostKeyAlgorithmsFor('ecdsa-sha2-nistp256')[0]).toBe('ecdsa-sha2-nistp256');
    expect(hostKeyAlgorithmsFor('ssh-rsa').slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithmsFor(undefined)[0]).toBe('ssh-ed25519');
    expect(new Set(hostKeyAlgorithmsFor('ssh-rsa')).size).toBe(hostKeyAlgorithmsFor(undefined).length);
  });
});

describe('KnownHosts', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'kl-known-hosts-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pins keys per host and port in a 0600 file in the data folder, and forgets them', () => {
    const store = KnownHosts.inDataDir(join(dir, 'data'));
    expect(store.file).toBe(join(dir, 'data', 'known-hosts.json'));
    expect(store.lookup('pi.local')).toBeUndefined();
    store.pin('pi.local', 22, hostKeyOf(blob), new Date('2025-01-02T03:04:05Z'));
    store.pin('10.0.0.5', 2222, hostKeyOf(blob));
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(store.file, 'utf8')).hosts)).toEqual(['pi.local', '[10.0.0.5]:2222']);
    expect(new KnownHosts(store.file).lookup('pi.local')).toEqual({ ...hostKeyOf(blob), addedAt: '2025-01-02T03:04:05.000Z' });
    expect(store.lookup('10.0.0.5')).toBeUndefined();
    expect(store.forget('10.0.0.5', 2222)).toBe(true);
    expect(store.forget('10.0.0.5', 2222)).toBe(false);
    expect(store.lookup('pi.local')).toBeDefined();
  });

  it('refuses a damaged file rather than trusting every host again', () => {
    const file = join(dir, 'known-hosts.json');
    writeFileSync(file, '{"hosts": ');
    expect(() => new KnownHosts(file).lookup('pi.local')).toThrow(`${file}: not a known-hosts file (fix or remove it)`);
  });

  it('names hosts as known_hosts does', () => {
    expect(knownHostName('pi.local')).toBe('pi.local');
    expect(knownHostName('::1', 2222)).toBe('[::1]:2222');
  });
});
