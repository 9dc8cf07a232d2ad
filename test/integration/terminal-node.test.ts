// A node's terminal through the bridge's openTerminal against a real OpenSSH server: reached with
// what nodes.json recorded (a key, or a password asked through the terminal and never stored), an
// unpinned host key confirmed by the user, a login shell on a pty that follows resizes, its exit
// status, a dropped connection said as such, and nothing left on the host once the tab closes.
// A password or passphrase remembered in the keychain is tried first; a refused one is asked
// again and the new one remembered in its place.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src-main/client/kube-client.ts';
import { NodeRegistry } from '../../src-main/provision/cli/node-registry.ts';
import { KnownHosts } from '../../src-main/provision/ssh/known-hosts.ts';
import { SecretVault } from '../../src-main/provision/ssh/secret-vault.ts';
import { waitFor } from './harness/cluster.ts';
import { startSshd, type TestSshd } from './harness/sshd.ts';
import { TerminalClient } from './harness/terminal-client.ts';
import { testKeychain } from './harness/test-keychain.ts';
import { createUnixUser, type UnixUser } from './harness/unix-users.ts';

const id = process.pid;
let dir: string;
let dataDir: string;
let sshd: TestSshd;
let keyUser: UnixUser;
let passwordUser: UnixUser;
let deps: { client: KubeClient; dataDir: string };

/** The login's processes on the host (sshd's own session processes included). */
const processesOf = (user: string) => spawnSync('pgrep', ['-u', user], { encoding: 'utf8' }).stdout.trim();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kl-term-node-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  keyUser = createUnixUser(`kl${id}k`, 'none');
  passwordUser = createUnixUser(`kl${id}w`, 'none');
  const key = join(dir, 'id_node');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  // An encrypted key for the same user: its passphrase is asked through the terminal.
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'open sesame', '-f', `${key}-enc`]);
  sshd = await startSshd({ users: [{ name: keyUser.name, authorizedKeys: [readFileSync(`${key}.pub`, 'utf8'), readFileSync(`${key}-enc.pub`, 'utf8')] }, { name: passwordUser.name }] });
  const registry = new NodeRegistry(dataDir);
  registry.set('keyed', { address: `${keyUser.name}@127.0.0.1:${sshd.port}`, auth: 'key', keyPath: key, server: 'https://192.0.2.1:6443' });
  registry.set('encrypted', { address: `${keyUser.name}@127.0.0.1:${sshd.port}`, auth: 'key', keyPath: `${key}-enc`, server: 'https://192.0.2.1:6443' });
  registry.set('passworded', { address: `${passwordUser.name}@127.0.0.1:${sshd.port}`, auth: 'password', server: 'https://192.0.2.1:6443' });
  deps = { client: undefined as unknown as KubeClient, dataDir };
});

afterAll(async () => {
  await sshd?.stop();
  keyUser?.remove();
  passwordUser?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('node terminal', () => {
  it('asks to trust a host key it has not pinned, then gives a login shell of the asked size that follows resizes, and its exit status', async () => {
    const t = await TerminalClient.open(deps, { type: 'node', node: 'keyed' }, { cols: 90, rows: 30 }, (p, c) => c.send({ type: 'answer', id: p.id, value: 'yes' }));
    t.type('echo "who=$(id -un) size=$(stty size) login=$0"\r');
    await t.until(`who=${keyUser.name} size=30 90 login=-bash`);
    expect(t.prompts).toEqual([expect.objectContaining({ kind: 'confirm', message: expect.stringContaining(sshd.hostKeyFingerprint()) })]);
    expect(KnownHosts.inDataDir(dataDir).lookup('127.0.0.1', sshd.port)?.fingerprint).toBe(sshd.hostKeyFingerprint());
    t.send({ type: 'resize', cols: 120, rows: 40 });
    t.type('echo "now=$(stty size)"\r');
    await t.until('now=40 120');
    t.type('exit 5\r');
    expect(await t.untilEnded()).toBe('');
    expect(t.exit).toBe(5);
    await waitFor('the login gone from the host', () => processesOf(keyUser.name) === '', 10_000);
  });

  it('asks for the password of a node added with one (again after a wrong one), and leaves nothing on the host when the tab closes', async () => {
    const answers = ['wrong', passwordUser.password];
    const t = await TerminalClient.open(deps, { type: 'node', node: 'passworded' }, undefined, (p, c) => c.send({ type: 'answer', id: p.id, value: answers.shift()! }));
    t.type('echo "who=$(id -un)"\r');
    await t.until(`who=${passwordUser.name}`);
    expect(t.prompts.map((p) => [p.kind, p.message])).toEqual([
      ['secret', `Password for ${passwordUser.name}@127.0.0.1:${sshd.port}:`],
      ['secret', `Permission denied, try again. Password for ${passwordUser.name}@127.0.0.1:${sshd.port}:`],
    ]);
    expect(readFileSync(join(dataDir, 'nodes.json'), 'utf8')).not.toContain(passwordUser.password);
    expect(processesOf(passwordUser.name)).not.toBe('');
    t.close();
    await waitFor('the login gone from the host', () => processesOf(passwordUser.name) === '', 10_000);
  });

  it("asks for an encrypted key's passphrase (again after a wrong one) and never stores it", async () => {
    const passphrases = ['guess', 'open sesame'];
    const t = await TerminalClient.open(deps, { type: 'node', node: 'encrypted' }, undefined, (p, c) => c.send({ type: 'answer', id: p.id, value: p.kind === 'confirm' ? 'yes' : passphrases.shift()! }));
    t.type('echo "in=$(id -un)"\r');
    await t.until(`in=${keyUser.name}`);
    expect(t.prompts.filter((p) => p.kind === 'secret').map((p) => p.message)).toEqual([
      `Passphrase for the key ${join(dir, 'id_node-enc')}:`,
      `Wrong passphrase. Passphrase for the key ${join(dir, 'id_node-enc')}:`,
    ]);
    expect(readFileSync(join(dataDir, 'nodes.json'), 'utf8')).not.toContain('open sesame');
    t.close();
  });

  it('logs in with a remembered passphrase without asking; a remembered password that is refused is asked again, and the new one remembered', async () => {
    const secrets = new SecretVault(dataDir, testKeychain());
    const withVault = { ...deps, sshSecrets: secrets };
    secrets.remember('encrypted', { keyPath: join(dir, 'id_node-enc'), passphrase: 'open sesame' });
    const k = await TerminalClient.open(withVault, { type: 'node', node: 'encrypted' }, undefined, (p, c) => c.send({ type: 'answer', id: p.id, value: p.kind === 'confirm' ? 'yes' : null }));
    k.type('echo "key=$(id -un)"\r');
    await k.until(`key=${keyUser.name}`);
    expect(k.prompts.filter((p) => p.kind === 'secret')).toEqual([]);
    k.close();

    // The password changed on the host since it was remembered.
    secrets.remember('passworded', { password: 'the old one' });
    const t = await TerminalClient.open(withVault, { type: 'node', node: 'passworded' }, undefined, (p, c) => c.send({ type: 'answer', id: p.id, value: passwordUser.password }));
    t.type('echo "pw=$(id -un)"\r');
    await t.until(`pw=${passwordUser.name}`);
    expect(t.prompts.map((p) => p.message)).toEqual([`Permission denied, try again. Password for ${passwordUser.name}@127.0.0.1:${sshd.port}:`]);
    t.close();
    expect(secrets.password('passworded')).toBe(passwordUser.password);
    expect(readFileSync(join(dataDir, 'ssh-secrets.json'), 'utf8')).not.toContain(passwordUser.password);
    // The next terminal asks nothing.
    const u = await TerminalClient.open(withVault, { type: 'node', node: 'passworded' });
    u.type('echo "again=$(id -un)"\r');
    await u.until(`again=${passwordUser.name}`);
    expect(u.prompts).toEqual([]);
    u.close();
    secrets.forget('passworded');
    secrets.forget('encrypted');
    await waitFor('the logins gone from the host', () => processesOf(passwordUser.name) === '', 10_000);
  });

  it('ends with the reason when the password is not given, or the node is not one it added', async () => {
    const t = await TerminalClient.open(deps, { type: 'node', node: 'passworded' }, undefined, (p, c) => c.send({ type: 'answer', id: p.id, value: null }));
    expect(await t.untilEnded()).toBe(`${passwordUser.name}@127.0.0.1:${sshd.port}: no password given`);
    const u = await TerminalClient.open(deps, { type: 'node', node: 'sim-1' });
    expect(await u.untilEnded()).toBe('node sim-1 was not added from this computer, so Kubelab has no SSH access to it (kubelab node list)');
  });

  it('says the connection was lost when the host drops it', async () => {
    const t = await TerminalClient.open(deps, { type: 'node', node: 'keyed' });
    t.type('echo "up=$((2*21))"\r');
    await t.until('up=42');
    // Restarting sshd ends the sessions it forked, as a reboot would.
    await sshd.restart();
    expect(await t.untilEnded(60_000)).toBe(`the SSH connection to keyed (${keyUser.name}@127.0.0.1:${sshd.port}) was lost`);
    expect(t.exit).toBeUndefined();
  }, 90_000);
});
