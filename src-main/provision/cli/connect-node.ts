// The CLI's side of connecting: which credential to use, asking the user about a new host key and
// a sudo password on a terminal (never echoing it), and `--yes` for scripts. The credentials
// stay in this process; the registry records only how the node was reached.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connectSsh, type HostKeyQuestion } from '../ssh/connect.ts';
import { KnownHosts } from '../ssh/known-hosts.ts';
import type { SshSession } from '../ssh/session.ts';
import { parseSshAddress, type SshAuth, type SshTarget } from '../ssh/target.ts';
import type { NodeRecord } from './node-registry.ts';

export interface ConnectFlags {
  address: string;
  key?: string;
  /** The SSH (and sudo) password, read from stdin by the caller. */
  password?: string;
  /** The passphrase of --key's file, when it is encrypted (asked, never stored). */
  passphrase?: string;
  jump?: string;
  /** Trust a new host key without asking (scripts); its fingerprint is still printed. */
  yes?: boolean;
}

export class ConnectUsageError extends Error {}

/** The credential: --key, --password-stdin, else the running ssh-agent, else ~/.ssh's default keys. */
export function chooseAuth(flags: ConnectFlags): SshAuth {
  if (flags.key) {
    if (!existsSync(flags.key)) throw new ConnectUsageError(`--key ${flags.key}: no such file`);
    return { kind: 'key', path: flags.key, ...(flags.passphrase !== undefined ? { passphrase: flags.passphrase } : {}) };
  }
  if (flags.password !== undefined) return { kind: 'password', password: flags.password };
  if (process.env.SSH_AUTH_SOCK) return { kind: 'agent' };
  const found = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f)).find((p) => existsSync(p));
  if (found) return { kind: 'key', path: found };
  throw new ConnectUsageError('no way to log in: pass --key FILE or --password-stdin, or start ssh-agent');
}

export function targetOf(flags: ConnectFlags): SshTarget {
  const auth = chooseAuth(flags);
  // The jump host takes the same key; a password is the target's alone, so the jump host then
  // uses ssh-agent or the default keys, as ssh -J does.
  const jump = flags.jump ? { ...parseSshAddress(flags.jump), auth: flags.password !== undefined && !flags.key ? chooseAuth({ address: flags.jump }) : auth } : undefined;
  return { ...parseSshAddress(flags.address), auth, jump };
}

/** How the node was reached, for the registry: no password or passphrase. */
export function recordOf(flags: ConnectFlags, server: string): NodeRecord {
  const auth = chooseAuth(flags);
  return { address: flags.address, auth: auth.kind, keyPath: auth.kind === 'key' ? auth.path : undefined, jump: flags.jump, server };
}

/** Flags back from a registry record (a password or a key's passphrase must be given again). */
export function flagsOf(record: NodeRecord, password?: string, passphrase?: string): ConnectFlags {
  const key = record.auth === 'key' ? record.keyPath : undefined;
  return { address: record.address, key, password: record.auth === 'password' ? password : undefined, passphrase: key ? passphrase : undefined, jump: record.jump };
}

export async function connectNode(dataDir: string, flags: ConnectFlags, say: (line: string) => void): Promise<SshSession> {
  const target = targetOf(flags);
  const sudoPassword = flags.password;
  return connectSsh(target, {
    knownHosts: KnownHosts.inDataDir(dataDir),
    confirmHostKey: (q) => confirmHostKey(q, flags.yes === true, say),
    sudoPassword: async () => sudoPassword ?? (process.stdin.isTTY ? ask(`[sudo] password for ${target.user}@${target.host}: `, true) : undefined),
  });
}

async function confirmHostKey(q: HostKeyQuestion, yes: boolean, say: (line: string) => void): Promise<boolean> {
  const what = `${q.host}${q.port === 22 ? '' : `:${q.port}`} presents a new ${q.algorithm} host key, fingerprint ${q.fingerprint}`;
  if (yes) {
    say(`${what}: trusted (--yes) and pinned`);
    return true;
  }
  if (!process.stdin.isTTY) {
    say(`${what}: not trusted (compare it with ssh-keygen -lf on the host, then run again with --yes)`);
    return false;
  }
  return /^y(es)?$/i.test((await ask(`${what}.\nIs that the host's key (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub there)? [y/N] `, false)).trim());
}

/** One line from the terminal; `secret` hides what is typed. */
function ask(prompt: string, secret: boolean): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // readline has no silent mode: its one output hook is replaced so typed keys are not echoed.
    if (secret) (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => { if (s.includes(prompt)) process.stderr.write(prompt); };
    rl.question(prompt, (answer) => {
      rl.close();
      if (secret) process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/** All of stdin (for --password-stdin), without its final newline. */
export function readStdin(): string {
  return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}
