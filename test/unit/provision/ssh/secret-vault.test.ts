// The SSH secret vault with a real cipher standing in for the OS keychain (AES-256-GCM, its key
// held in memory as safeStorage's is held by the keychain): what the file holds, what comes back,
// a key that changed, a node removed, and no keychain at all.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretVault } from '../../../../src-main/provision/ssh/secret-vault.ts';
import { testKeychain } from '../../../integration/harness/test-keychain.ts';

let dir: string;
const password = `pw-${Math.random().toString(36).slice(2)}-ünï`;
const passphrase = `pp-${Math.random().toString(36).slice(2)}`;
const file = () => readFileSync(join(dir, 'ssh-secrets.json'), 'utf8');
/** The secret in clear, its base64 and its hex: none may be in the file. */
const tracesOf = (s: string) => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url'), Buffer.from(s).toString('hex')];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kl-vault-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SecretVault', () => {
  it('keeps a password and a key passphrase as ciphertext only, in a 0600 file, and gives them back', () => {
    const cipher = testKeychain();
    const vault = new SecretVault(dir, cipher);
    expect(vault.status).toEqual({ available: true });
    vault.remember('pi-1', { password });
    vault.remember('pi-2', { keyPath: '/home/me/.ssh/id_lab', passphrase });
    for (const trace of [...tracesOf(password), ...tracesOf(passphrase)]) expect(file()).not.toContain(trace);
    expect(statSync(join(dir, 'ssh-secrets.json')).mode & 0o777).toBe(0o600);
    // Another vault on the same folder and keychain: what a restart of the app sees.
    const again = new SecretVault(dir, cipher);
    expect(again.password('pi-1')).toBe(password);
    expect(again.passphrase('pi-2', '/home/me/.ssh/id_lab')).toBe(passphrase);
    // A passphrase holds for its key file only; a password for its node only.
    expect(again.passphrase('pi-2', '/home/me/.ssh/other')).toBeUndefined();
    expect(again.password('pi-2')).toBeUndefined();
    expect(again.password('pi-3')).toBeUndefined();
  });

  it('replaces a node\'s secret with a new one, and forgets a removed node (without needing the keychain)', () => {
    const vault = new SecretVault(dir, testKeychain());
    vault.remember('pi-1', { password: 'old' });
    vault.remember('pi-1', { password });
    vault.remember('pi-2', { password: 'other' });
    expect(vault.password('pi-1')).toBe(password);
    new SecretVault(dir, undefined).forget('pi-1');
    expect(vault.password('pi-1')).toBeUndefined();
    expect(JSON.parse(file()).nodes).not.toHaveProperty('pi-1');
    expect(vault.password('pi-2')).toBe('other');
  });

  it('drops a secret the keychain can no longer decrypt, with one log line that holds no secret', () => {
    new SecretVault(dir, testKeychain()).remember('pi-1', { password });
    const log: string[] = [];
    const changed = new SecretVault(dir, testKeychain(), (l) => log.push(l));
    expect(changed.password('pi-1')).toBeUndefined();
    expect(log).toEqual(["ssh secrets: the remembered password of node pi-1 cannot be decrypted with the system keychain's key (was it reset?): forgotten, it will be asked again"]);
    expect(changed.password('pi-1')).toBeUndefined();
    expect(log).toHaveLength(1);
    expect(JSON.parse(file()).nodes).toEqual({});
  });

  it('remembers nothing without a keychain, and says why', () => {
    const none = new SecretVault(dir, undefined);
    expect(none.status).toEqual({ available: false, reason: expect.stringContaining('only the desktop app') });
    expect(() => none.remember('pi-1', { password })).toThrow(/no system keychain/);
    const locked = new SecretVault(dir, testKeychain(undefined, () => false));
    expect(locked.status).toEqual({ available: false, reason: expect.stringContaining('not available') });
    expect(() => locked.remember('pi-1', { password })).toThrow(/not available/);
    expect(locked.password('pi-1')).toBeUndefined();
  });
});
