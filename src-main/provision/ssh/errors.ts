// The ways a connection or a sudo fails, each one line that says which host and what to do. None
// of them ever holds a password, passphrase or key: messages are built from names only.
import type { HostKey } from './host-key.ts';
import type { PinnedHostKey } from './known-hosts.ts';

/** Any SSH failure worth showing the user as is. */
export class SshError extends Error {
  override name = 'SshError';
}

/** The server offered a key other than the pinned one: maybe an attack, maybe a reinstall. */
export class HostKeyChangedError extends SshError {
  override name = 'HostKeyChangedError';
  constructor(
    readonly host: string,
    readonly pinned: PinnedHostKey,
    readonly offered: HostKey,
    knownHostsFile: string,
    knownHostName: string,
  ) {
    super(
      `${host}: the host key has CHANGED (pinned ${pinned.algorithm} ${pinned.fingerprint}, offered ${offered.algorithm} ${offered.fingerprint}); ` +
        `refused: someone may be intercepting the connection. If you know the host was reinstalled, forget the old key ` +
        `(remove "${knownHostName}" from ${knownHostsFile}) and connect again`,
    );
  }
}

/** A first connection that nobody confirmed: there was no one to ask, or the user said no. */
export class HostKeyNotTrustedError extends SshError {
  override name = 'HostKeyNotTrustedError';
}

export class AuthenticationError extends SshError {
  override name = 'AuthenticationError';
}

export class SudoError extends SshError {
  override name = 'SudoError';
}

/** One line for a failed connect, from ssh2's error and its level. */
export function connectErrorMessage(host: string, e: Error & { level?: string; code?: string }, readyTimeoutMs: number): string {
  switch (e.code) {
    case 'ECONNREFUSED': return `${host}: unreachable (connection refused: is sshd running on that port?)`;
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `${host}: unreachable (no route to the host)`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `${host}: unreachable (the name does not resolve)`;
    case 'ETIMEDOUT': return `${host}: unreachable (the connection timed out)`;
    case 'ECONNRESET': return `${host}: the connection was reset during the SSH handshake`;
  }
  if (e.level === 'client-timeout') return `${host}: timed out after ${readyTimeoutMs / 1000} s waiting for the SSH handshake`;
  return `${host}: ${e.message.split('\n')[0]}`;
}
