// A real OpenSSH server for the tests: /usr/sbin/sshd -D on 127.0.0.1 with a temporary config,
// its own ed25519 host key (ssh-keygen) and authorized_keys, letting in only the given users.
// restart() can give it a new host key (a "reinstalled" host); stop() ends it and the session
// processes it forked, and removes its folder.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './stream-clients.ts';

export interface SshdUser {
  name: string;
  /** Public key lines (id_*.pub) that may log in as this user. */
  authorizedKeys?: string[];
}

export interface TestSshd {
  host: '127.0.0.1';
  port: number;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it (SHA256:...). */
  hostKeyFingerprint(): string;
  /** Stops sshd and starts it again on the same port, with a new host key when asked. */
  restart(opts?: { newHostKey?: boolean }): Promise<void>;
  /** What sshd logged (-e: to stderr), for failed tests' messages. */
  log(): string;
  stop(): Promise<void>;
}

export async function startSshd(opts: { users: SshdUser[]; port?: number }): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'kl-sshd-'));
  const port = opts.port ?? (await freePort());
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const config = join(dir, 'sshd_config');
  let proc: ChildProcess | undefined;
  let log = '';
  try {
    // sshd reads authorized_keys as the user logging in.
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'authorized_keys'));
    for (const u of opts.users) writeFileSync(join(dir, 'authorized_keys', u.name), (u.authorizedKeys ?? []).map((k) => `${k.trim()}\n`).join(''), { mode: 0o644 });
    newHostKey(hostKey);
    writeFileSync(config, sshdConfig(dir, port, hostKey, opts.users.map((u) => u.name)));
    // sshd's privilege separation folder, which the package's init script makes on a booted host.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const start = async () => {
      proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      proc.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
      await waitForBanner(port, proc, () => log);
    };
    const stopProc = async () => {
      if (!proc || proc.exitCode !== null) return;
      const sessions = descendantsOf(proc.pid!);
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      for (const pid of sessions) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    };
    await start();
    return {
      host: '127.0.0.1',
      port,
      hostKeyFingerprint: () => execFileSync('ssh-keygen', ['-lf', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1],
      async restart(o = {}) {
        await stopProc();
        if (o.newHostKey) newHostKey(hostKey);
        await start();
      },
      log: () => log,
      async stop() {
        await stopProc();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    proc?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`sshd did not start: ${(e as Error).message}\n${log}`);
  }
}

function sshdConfig(dir: string, port: number, hostKey: string, users: string[]): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys', '%u')}`,
    // The keys live under /tmp, which is world-writable: StrictModes would refuse them.
    'StrictModes no',
    // Passwords checked against /etc/shadow by sshd itself, without the host's PAM stack.
    'UsePAM no',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    `AllowUsers ${users.join(' ')}`,
    'AllowTcpForwarding yes',
    'Subsystem sftp internal-sftp',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

function newHostKey(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kubelab-test-host', '-f', path]);
}

/** Ready once a connection gets the server's "SSH-2.0-" identification. */
async function waitForBanner(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`sshd exited with ${proc.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('SSH-2.0-')); });
      s.once('error', () => resolve(false));
      s.setTimeout(1000, () => { s.destroy(); resolve(false); });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('sshd did not answer within 10 s');
}

/** The processes under pid (sshd's per-connection children), from /proc. */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parentOf.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited */ }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) { found.push(child); walk(child); }
  };
  walk(pid);
  return found;
}
