// One sshd per host, inside the host's namespaces, with its own host key and authorized keys in
// the host's folder (the machine's /etc/ssh and /root/.ssh stay untouched). sshd itself is the
// process that holds the host's mount and UTS namespaces: nothing else to keep alive or stop.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { run } from './command.ts';
import { hostSetupScript } from './host-root.ts';
import type { HostLayout } from './names.ts';

export const SSH_PORT = 22;
const READY_TIMEOUT_MS = 15_000;

export interface HostSshFiles {
  config: string;
  hostKey: string;
  /** `AuthorizedKeysFile`: one file per user, named after the user. */
  authorizedKeysDir: string;
  log: string;
  pidFile: string;
}

export function sshFilesOf(host: HostLayout): HostSshFiles {
  const ssh = join(host.dir, 'ssh');
  return {
    config: join(ssh, 'sshd_config'),
    hostKey: join(ssh, 'ssh_host_ed25519_key'),
    authorizedKeysDir: join(ssh, 'authorized_keys'),
    log: join(host.dir, 'sshd.log'),
    pidFile: join(host.dir, 'sshd.pid'),
  };
}

/** Makes an ed25519 key pair without a passphrase at `path` unless one is there. */
export async function ensureKeyPair(path: string, comment: string): Promise<void> {
  if (existsSync(path) && existsSync(`${path}.pub`)) return;
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** `SHA256:...` as `ssh-keygen -l` and the ssh client show it, of an OpenSSH public key line. */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

const quoted = (path: string): string => `"${path}"`;

function sshdConfig(host: HostLayout, files: HostSshFiles): string {
  return [
    `ListenAddress ${host.address}:${SSH_PORT}`,
    `HostKey ${quoted(files.hostKey)}`,
    `PidFile ${quoted(files.pidFile)}`,
    `AuthorizedKeysFile ${quoted(join(files.authorizedKeysDir, '%u'))}`,
    'PermitRootLogin prohibit-password',
    // Password and sudo logins of other users are part of what provisioning is tested with.
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UsePAM yes',
    // The lab's folder may sit under a world-writable /tmp, which StrictModes refuses.
    'StrictModes no',
    'PrintMotd no',
    'X11Forwarding no',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
  ].join('\n') + '\n';
}

/** Writes the host key, sshd_config and root's authorized_keys (the lab's public key). */
export async function prepareSshd(host: HostLayout, labPublicKey: string): Promise<HostSshFiles> {
  const files = sshFilesOf(host);
  mkdirSync(files.authorizedKeysDir, { recursive: true, mode: 0o755 });
  await ensureKeyPair(files.hostKey, host.hostname);
  writeFileSync(join(files.authorizedKeysDir, 'root'), labPublicKey, { mode: 0o644 });
  writeFileSync(files.config, sshdConfig(host, files));
  return files;
}

export const hostPublicKey = (files: HostSshFiles): string => readFileSync(`${files.hostKey}.pub`, 'utf8').trim();

const portOpen = (address: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 500 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });

const lastLine = (path: string): string => {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').pop() ?? '';
  } catch {
    return '';
  }
};

/**
 * Starts the host: its namespaces are made by the setup script, which then becomes sshd (so the
 * pid is sshd's). Detached, so the lab outlives the process that made it (`kubelab lab up`).
 * Resolves with the pid once sshd accepts connections on the host's address.
 */
export async function startHostSshd(host: HostLayout, files: HostSshFiles): Promise<number> {
  const script = join(host.dir, 'setup.sh');
  const setupLog = join(host.dir, 'setup.log');
  writeFileSync(script, hostSetupScript(host, files.config, files.log));
  const out = openSync(setupLog, 'w');
  const child = spawn('nsenter', [`--net=/run/netns/${host.netns}`, 'unshare', '--mount', '--uts', '--propagation', 'unchanged', 'sh', script], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exited: string | undefined;
  child.once('exit', (code, signal) => { exited = signal ?? `exit ${code}`; });
  child.once('error', (e) => { exited = e.message; });
  child.unref();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await portOpen(host.address, SSH_PORT))) {
    if (exited !== undefined || Date.now() > deadline) {
      const why = lastLine(files.log) || lastLine(setupLog) || exited || 'no answer';
      throw new Error(`sshd of test host ${host.hostname} did not start (${exited ?? `not listening after ${READY_TIMEOUT_MS / 1000} s`}): ${why}`);
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  if (child.pid === undefined) throw new Error(`sshd of test host ${host.hostname} has no pid`);
  return child.pid;
}
