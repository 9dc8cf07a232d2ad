// Where to connect and as whom: the `[user@]host[:port]` a user types (as ssh(1) takes it), and the
// way to authenticate, which never leaves this process except to the SSH server itself.
import { userInfo } from 'node:os';

export type SshAuth =
  | { kind: 'key'; path: string; passphrase?: string }
  /** The running ssh-agent: `socket` defaults to SSH_AUTH_SOCK. */
  | { kind: 'agent'; socket?: string }
  | { kind: 'password'; password: string };

export interface SshAddress {
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
}

export interface SshTarget extends SshAddress {
  auth: SshAuth;
  /** Reach `host` through this one first (ssh -J), e.g. a bastion in front of the lab's network. */
  jump?: SshTarget;
  /** How long the TCP connect + SSH handshake + authentication may take (default 20 s). */
  readyTimeoutMs?: number;
}

export class SshTargetError extends Error {
  override name = 'SshTargetError';
}

// RFC 1123 host names (labels of letters, digits and inner hyphens) or IPv4; IPv6 goes in brackets.
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;
// POSIX portable user names, plus the `$` of Samba machine accounts, as useradd accepts them.
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/;

/** The user ssh(1) would log in as when none is given: the local one (root when run as root). */
export function defaultSshUser(): string {
  return userInfo().username;
}

/** Parses `[user@]host[:port]` (IPv6 as `[addr]` or `[addr]:port`); throws SshTargetError, one line. */
export function parseSshAddress(text: string, defaultUser: string = defaultSshUser()): Required<SshAddress> {
  const fail = (why: string): never => {
    throw new SshTargetError(`${JSON.stringify(text)} is not [user@]host[:port]: ${why}`);
  };
  if (text.trim() !== text || /\s/.test(text)) fail('it has spaces');
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : defaultUser;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  if (at >= 0 && !user) fail('the user before "@" is empty');
  if (!USER.test(user)) fail(`${JSON.stringify(user)} is not a valid user name`);
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) fail('"[" without "]"');
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after && !after.startsWith(':')) fail(`unexpected ${JSON.stringify(after)} after "]"`);
    portText = after ? after.slice(1) : undefined;
    if (!IPV6.test(host) || !host.includes(':')) fail(`${JSON.stringify(host)} is not an IPv6 address`);
  } else {
    const colons = rest.split(':').length - 1;
    if (colons > 1) fail('an IPv6 address goes in brackets, e.g. [fe80::1]:22');
    [host, portText] = colons ? [rest.slice(0, rest.indexOf(':')), rest.slice(rest.indexOf(':') + 1)] : [rest, undefined];
    if (!host) fail('the host is empty');
    if (!HOSTNAME.test(host)) fail(`${JSON.stringify(host)} is not a valid host name or address`);
  }
  return { user, host, port: portText === undefined ? 22 : parsePort(portText, fail) };
}

function parsePort(text: string, fail: (why: string) => never): number {
  if (!/^\d{1,5}$/.test(text)) fail(`port ${JSON.stringify(text)} is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) fail(`port ${port} is not between 1 and 65535`);
  return port;
}

/** `user@host[:port]` for messages (the port only when it is not 22); never holds credentials. */
export function sshLabel(a: SshAddress): string {
  return `${a.user}@${sshHostLabel(a)}`;
}

/** `host[:port]`, IPv6 in brackets: the machine rather than the login. */
export function sshHostLabel(a: Omit<SshAddress, 'user'>): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${host}${(a.port ?? 22) === 22 ? '' : `:${a.port}`}`;
}
