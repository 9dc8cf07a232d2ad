// The SSH layer against a real OpenSSH server on loopback, as a user adding a machine sees it:
// each way to log in and each way it fails, host keys trusted on first use and a changed one
// refused, commands and sudo (with and without a password), uploads checked on the host, a jump
// host, and a reverse tunnel carrying a real TCP exchange.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type ConnectOptions, type HostKeyQuestion } from '../../src-main/provision/ssh/connect.ts';
import { HostKeyChangedError } from '../../src-main/provision/ssh/errors.ts';
import { KnownHosts } from '../../src-main/provision/ssh/known-hosts.ts';
import type { SshSession } from '../../src-main/provision/ssh/session.ts';
import type { SshAuth, SshTarget } from '../../src-main/provision/ssh/target.ts';
import { waitFor } from './harness/cluster.ts';
import { startSshd, type TestSshd } from './harness/sshd.ts';
import { freePort } from './harness/stream-clients.ts';
import { createUnixUser, type UnixUser } from './harness/unix-users.ts';

const id = process.pid;
let dir: string;
let sshd: TestSshd;
let agent: ChildProcess | undefined;
let agentSocket: string;
const users: Record<'sudoer' | 'nopasswd' | 'plain', UnixUser> = {} as never;
const keys = { plain: '', encrypted: '', agentOnly: '' };
const passphrase = `pp-${id}-${Math.random().toString(36).slice(2)}`;
const sessions: SshSession[] = [];
let knownHosts: KnownHosts;
const questions: HostKeyQuestion[] = [];

/** ssh-keygen reads a passphrase from stdin when it has no terminal: never on its command line. */
function newKey(name: string, pass = ''): string {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-C', name, '-f', path], { input: `${pass}\n${pass}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  return path;
}

const target = (user: UnixUser, auth: SshAuth, extra: Partial<SshTarget> = {}): SshTarget => ({ host: sshd.host, port: sshd.port, user: user.name, auth, ...extra });
const trustAll: ConnectOptions['confirmHostKey'] = async (q) => { questions.push(q); return true; };

async function open(t: SshTarget, opts: Partial<ConnectOptions> = {}): Promise<SshSession> {
  const s = await connectSsh(t, { knownHosts, confirmHostKey: trustAll, ...opts });
  sessions.push(s);
  return s;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => undefined, (err: Error) => err);
  if (!e) throw new Error('expected a failure');
  return e;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kl-ssh-test-'));
  users.sudoer = createUnixUser(`kl${id}s`, 'password');
  users.nopasswd = createUnixUser(`kl${id}n`, 'nopasswd');
  users.plain = createUnixUser(`kl${id}p`, 'none');
  keys.plain = newKey('id_plain');
  keys.encrypted = newKey('id_encrypted', passphrase);
  keys.agentOnly = newKey('id_agent');
  const authorizedKeys = [keys.plain, keys.encrypted, keys.agentOnly].map((k) => readFileSync(`${k}.pub`, 'utf8'));
  sshd = await startSshd({ users: Object.values(users).map((u) => ({ name: u.name, authorizedKeys })) });
  agentSocket = join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(agentSocket); i++) await new Promise((r) => setTimeout(r, 20));
  execFileSync('ssh-add', ['-q', keys.agentOnly], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: 'pipe' });
  // Only the agent holds this key now: a login with it proves the agent was asked.
  rmSync(keys.agentOnly);
  knownHosts = KnownHosts.inDataDir(join(dir, 'data'));
});

afterAll(async () => {
  for (const s of sessions) await s.close().catch(() => undefined);
  await sshd?.stop();
  agent?.kill();
  for (const u of Object.values(users)) u?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('host keys, trusted on first use', () => {
  it('shows the fingerprint ssh-keygen -lf prints on first contact, pins it, and asks no more', async () => {
    await open(target(users.plain, { kind: 'key', path: keys.plain }));
    expect(questions).toEqual([{ host: '127.0.0.1', port: sshd.port, algorithm: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint() }]);
    expect(statSync(knownHosts.file).mode & 0o777).toBe(0o600);
    expect(knownHosts.lookup('127.0.0.1', sshd.port)?.fingerprint).toBe(sshd.hostKeyFingerprint());
    // Pinned: a connection with nobody to ask goes through.
    const again = await open(target(users.plain, { kind: 'key', path: keys.plain }), { confirmHostKey: undefined });
    expect((await again.run('true')).code).toBe(0);
    expect(questions).toHaveLength(1);
  });

  it('refuses an unknown key when nobody can confirm it, or the user says no, and pins nothing', async () => {
    const other = new KnownHosts(join(dir, 'other-known-hosts.json'));
    const t = target(users.plain, { kind: 'key', path: keys.plain });
    expect((await failure(connectSsh(t, { knownHosts: other }))).message).toBe(
      `127.0.0.1:${sshd.port}: unknown host key ssh-ed25519 ${sshd.hostKeyFingerprint()}, refused: there is no one to confirm it (connect once interactively to trust it)`,
    );
    expect((await failure(connectSsh(t, { knownHosts: other, confirmHostKey: async () => false }))).message).toMatch(/not trusted by the user$/);
    expect(existsSync(other.file)).toBe(false);
  });
});

describe('logging in', () => {
  it('with a key file: runs commands with their exit status, output, stdin, signals and deadline', async () => {
    const s = await open(target(users.plain, { kind: 'key', path: keys.plain }));
    expect(s.label).toBe(`${users.plain.name}@127.0.0.1:${sshd.port}`);
    expect(await s.run('id -un; echo oops >&2; exit 3')).toEqual({ code: 3, stdout: `${users.plain.name}\n`, stderr: 'oops\n' });
    expect((await s.run('tr a-z A-Z', { stdin: 'hello' })).stdout).toBe('HELLO');
    expect((await s.run('kill -TERM $$')).code).toBe(128 + 15);
    const start = Date.now();
    const slow = await s.run('sleep 30', { timeoutMs: 300 });
    expect(slow.code).toBe(124);
    expect(slow.stderr).toMatch(/timed out after 0.3 s/);
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it('with an encrypted key and its passphrase; a wrong or missing passphrase says so', async () => {
    const s = await open(target(users.plain, { kind: 'key', path: keys.encrypted, passphrase }));
    expect((await s.run('id -un')).stdout.trim()).toBe(users.plain.name);
    const wrong = await failure(open(target(users.plain, { kind: 'key', path: keys.encrypted, passphrase: 'not-it' })));
    expect(wrong.message).toBe(`127.0.0.1:${sshd.port}: wrong passphrase for the key ${keys.encrypted}`);
    const none = await failure(open(target(users.plain, { kind: 'key', path: keys.encrypted })));
    expect(none.message).toBe(`127.0.0.1:${sshd.port}: the key ${keys.encrypted} is encrypted: a passphrase is needed`);
    expect(`${wrong.message}${wrong.stack}`).not.toContain('not-it');
  });

  it('through ssh-agent', async () => {
    const s = await open(target(users.plain, { kind: 'agent', socket: agentSocket }));
    expect((await s.run('id -un')).stdout.trim()).toBe(users.plain.name);
  });

  it('with a password; a wrong one is one clear line without the password', async () => {
    const s = await open(target(users.plain, { kind: 'password', password: users.plain.password }));
    expect((await s.run('id -un')).stdout.trim()).toBe(users.plain.name);
    const e = await failure(open(target(users.plain, { kind: 'password', password: `${users.plain.password}x` })));
    expect(e.message).toBe(`127.0.0.1:${sshd.port}: authentication failed for ${users.plain.name} (tried: password)`);
    expect(`${e.message}${e.stack}`).not.toContain(users.plain.password);
  });

  it('names the key that was refused, an unreachable port, and a server that never answers', async () => {
    const stranger = newKey('id_stranger');
    expect((await failure(open(target(users.plain, { kind: 'key', path: stranger })))).message).toBe(
      `127.0.0.1:${sshd.port}: authentication failed for ${users.plain.name} (tried: key ${stranger})`,
    );
    const closed = await freePort();
    expect((await failure(open({ host: '127.0.0.1', port: closed, user: 'x', auth: { kind: 'key', path: keys.plain } }))).message).toBe(
      `127.0.0.1:${closed}: unreachable (connection refused: is sshd running on that port?)`,
    );
    const silent = await listen(createServer(() => { /* accepts, never speaks */ }));
    try {
      const e = await failure(open({ host: '127.0.0.1', port: silent.port, user: 'x', auth: { kind: 'key', path: keys.plain }, readyTimeoutMs: 400 }));
      expect(e.message).toBe(`127.0.0.1:${silent.port}: timed out after 0.4 s connecting (no SSH handshake)`);
    } finally {
      silent.server.close();
    }
  });
});

describe('sudo', () => {
  it('asks for the password once, gives it on stdin, and passes the command its own stdin', async () => {
    let asked = 0;
    const s = await open(target(users.sudoer, { kind: 'key', path: keys.plain }), { sudoPassword: async () => { asked++; return users.sudoer.password; } });
    expect(await s.run('id -u', { sudo: true })).toEqual({ code: 0, stdout: '0\n', stderr: '' });
    expect((await s.run('cat', { sudo: true, stdin: 'data after the password' })).stdout).toBe('data after the password');
    expect((await s.run('id -u')).stdout).not.toBe('0\n');
    // The password went on stdin: no process on the host shows it in its command line.
    const processes = await s.run(`cat /proc/[0-9]*/cmdline | tr '\\0' ' '`, { sudo: true });
    expect(processes.stdout).toContain('/usr/sbin/sshd');
    expect(processes.stdout).not.toContain(users.sudoer.password);
    expect(asked).toBe(1);
  });

  it('says a wrong password once and does not try again', async () => {
    let asked = 0;
    const s = await open(target(users.sudoer, { kind: 'key', path: keys.plain }), { sudoPassword: async () => { asked++; return 'wrong-password'; } });
    for (let i = 0; i < 2; i++) expect((await failure(s.run('id -u', { sudo: true }))).message).toBe(`sudo on 127.0.0.1:${sshd.port}: wrong password`);
    expect(asked).toBe(1);
    const none = await open(target(users.sudoer, { kind: 'key', path: keys.plain }));
    expect((await failure(none.run('true', { sudo: true }))).message).toBe(`sudo on 127.0.0.1:${sshd.port}: ${users.sudoer.name} needs a password for sudo and none was given`);
  });

  it('uses passwordless sudo without asking, and says when the user has no sudo rights', async () => {
    const s = await open(target(users.nopasswd, { kind: 'key', path: keys.plain }), { sudoPassword: async () => { throw new Error('not to be asked'); } });
    expect((await s.run('id -u', { sudo: true })).stdout).toBe('0\n');
    // Root's command is killed at the deadline too, not left running on the host.
    const sleep = `sleep 29.${id}`;
    expect((await s.run(sleep, { sudo: true, timeoutMs: 300 })).code).toBe(124);
    await waitFor('the command under sudo to be killed', () => !commandLines().includes(sleep), 5000);
    const plain = await open(target(users.plain, { kind: 'key', path: keys.plain }), { sudoPassword: async () => users.plain.password });
    expect((await failure(plain.run('id -u', { sudo: true }))).message).toBe(`sudo on 127.0.0.1:${sshd.port}: ${users.plain.name} may not use sudo (not in sudoers)`);
  });
});

describe('upload', () => {
  it('writes a file with its mode, checked by sha256sum on the host, and leaves no temporary file', async () => {
    const s = await open(target(users.plain, { kind: 'key', path: keys.plain }));
    const path = `${users.plain.home}/bin/agent.js`;
    const data = Buffer.from(`console.log(${id});\n`.repeat(50_000));
    await s.upload(data, path, { mode: 0o755 });
    expect(readFileSync(path).equals(data)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o755);
    await s.upload(Buffer.from('second version\n'), path, { mode: 0o755 });
    expect(readFileSync(path, 'utf8')).toBe('second version\n');
    expect((await s.run(`ls -A ${users.plain.home}/bin`)).stdout).toBe('agent.js\n');
  });

  it('writes a root-owned path with sudo, and names the path when it may not', async () => {
    const root = `/usr/local/lib/kl${id}`;
    try {
      const s = await open(target(users.sudoer, { kind: 'key', path: keys.plain }), { sudoPassword: async () => users.sudoer.password });
      await s.upload(Buffer.from('{"apiServer":"https://10.0.0.1:6443"}\n'), `${root}/config.json`, { mode: 0o600, sudo: true });
      const st = statSync(`${root}/config.json`);
      expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);
      expect(readFileSync(`${root}/config.json`, 'utf8')).toContain('10.0.0.1');
      expect((await s.run(`find /tmp -maxdepth 1 -user ${users.sudoer.name}`)).stdout).toBe('');
      const e = await failure(s.upload(Buffer.from('x'), `${root}/other.json`));
      expect(e.message).toBe(`upload of ${root}/other.json to ${users.sudoer.name}@127.0.0.1:${sshd.port} failed: permission denied (write there with sudo)`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('connections', () => {
  it('reaches a host through a jump host', async () => {
    const s = await open(target(users.nopasswd, { kind: 'key', path: keys.plain }, { jump: target(users.plain, { kind: 'agent', socket: agentSocket }) }));
    expect((await s.run('id -un')).stdout.trim()).toBe(users.nopasswd.name);
    // The login came from the jump host's sshd, not from this process.
    const clientPort = (await s.run('echo $SSH_CONNECTION')).stdout.split(' ')[1];
    expect(execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${clientPort} )`], { encoding: 'utf8' })).toMatch(/"sshd"/);
  });

  it("opens the node's terminal: a login shell on a pty of the asked size, resized, with its exit status", async () => {
    const s = await open(target(users.plain, { kind: 'key', path: keys.plain }));
    const shell = await s.shell({ cols: 80, rows: 24 });
    let out = '';
    shell.stream.on('data', (c: Buffer) => (out += c.toString()));
    const until = async (text: string) => {
      for (let i = 0; i < 200 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 25));
      expect(out, `waiting for ${JSON.stringify(text)}`).toContain(text);
    };
    // Markers built by the shell, so the echo of what was typed never matches them.
    shell.stream.write('echo "size=$(stty size) tty=$(tty | cut -c1-9) x=$((6*7))"\n');
    await until('size=24 80 tty=/dev/pts/ x=42');
    shell.resize({ cols: 132, rows: 43 });
    shell.stream.write('echo "now=$(stty size)"\n');
    await until('now=43 132');
    shell.stream.write('exit 7\n');
    expect(await shell.exited).toBe(7);
  });

  it('carries a TCP exchange made on the host back to a local address (reverse tunnel)', async () => {
    const local = await listen(createServer((c) => c.once('data', (d) => c.end(`pong ${d}`))));
    try {
      const s = await open(target(users.plain, { kind: 'key', path: keys.plain }));
      const tunnel = await s.forwardIn('127.0.0.1', 0, { host: '127.0.0.1', port: local.port });
      expect(tunnel.remotePort).toBeGreaterThan(0);
      const dial = `exec 3<>/dev/tcp/127.0.0.1/${tunnel.remotePort} && printf ping >&3 && cat <&3`;
      expect(await s.run(`bash -c '${dial}'`)).toEqual({ code: 0, stdout: 'pong ping', stderr: '' });
      await tunnel.close();
      expect((await s.run(`bash -c '${dial}' 2>/dev/null`)).code).not.toBe(0);
    } finally {
      local.server.close();
    }
  });
});

describe('a changed host key', () => {
  it('is refused with both fingerprints and how to forget the old one; forgotten, it is asked again', async () => {
    const old = sshd.hostKeyFingerprint();
    await sshd.restart({ newHostKey: true });
    const now = sshd.hostKeyFingerprint();
    expect(now).not.toBe(old);
    const asked = questions.length;
    const e = await failure(open(target(users.plain, { kind: 'key', path: keys.plain })));
    expect(e).toBeInstanceOf(HostKeyChangedError);
    expect(e.message).toBe(
      `127.0.0.1:${sshd.port}: the host key has CHANGED (pinned ssh-ed25519 ${old}, offered ssh-ed25519 ${now}); refused: someone may be ` +
        `intercepting the connection. If you know the host was reinstalled, forget the old key (remove "[127.0.0.1]:${sshd.port}" from ${knownHosts.file}) and connect again`,
    );
    expect(questions).toHaveLength(asked);
    expect(knownHosts.lookup('127.0.0.1', sshd.port)?.fingerprint).toBe(old);
    expect(knownHosts.forget('127.0.0.1', sshd.port)).toBe(true);
    await open(target(users.plain, { kind: 'key', path: keys.plain }));
    expect(questions.at(-1)?.fingerprint).toBe(now);
  });
});

/** Every process's command line on this machine, from /proc. */
function commandLines(): string {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      return '';
    }
  }).join('\n');
}

function listen(server: Server): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}
