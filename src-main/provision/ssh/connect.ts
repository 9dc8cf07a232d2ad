// Opens an SshSession: TCP (or a channel through the jump host), the host key checked against
// the pinned one or confirmed by the user on first use, then authentication. Each failure is
// one line naming the host; the pause while the user reads a fingerprint does not count
// against the handshake's deadline.
import ssh2 from 'ssh2';
import type { Client as ClientType, ConnectConfig } from 'ssh2';
import type { Duplex } from 'node:stream';
import { credentialsFor } from './credentials.ts';
import { AuthenticationError, SshError, connectErrorMessage } from './errors.ts';
import { hostKeyAlgorithmsFor, hostKeyOf } from './host-key.ts';
import { trustHostKey, type ConfirmHostKey } from './host-key-trust.ts';
import type { KnownHosts } from './known-hosts.ts';
import { SshSession } from './session.ts';
import { sshHostLabel, sshLabel, type SshTarget } from './target.ts';

export type { HostKeyQuestion } from './host-key-trust.ts';

export interface ConnectOptions {
  knownHosts: KnownHosts;
  /** Asked on first contact with a host; without it, unknown hosts are refused. */
  confirmHostKey?: ConfirmHostKey;
  /** Asked once, when a sudo first needs a password; undefined: there is none. */
  sudoPassword?: () => Promise<string | undefined>;
}

const DEFAULT_READY_TIMEOUT_MS = 20_000;

export async function connectSsh(target: SshTarget, opts: ConnectOptions): Promise<SshSession> {
  const port = target.port ?? 22;
  const label = sshLabel(target);
  const host = sshHostLabel(target);
  const credentials = credentialsFor(target.auth, host);
  const jump = target.jump ? await connectSsh(target.jump, { knownHosts: opts.knownHosts, confirmHostKey: opts.confirmHostKey }) : undefined;
  try {
    const sock = jump ? await forwardThrough(jump, target.host, port) : undefined;
    const client = await handshake(target, host, opts, credentials, sock);
    return new SshSession(label, target.user, host, client, jump ? [jump] : [], opts.sudoPassword);
  } catch (e) {
    await jump?.close();
    throw e;
  }
}

function forwardThrough(jump: SshSession, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
      if (err) reject(new SshError(`${jump.host}: cannot reach ${host}:${port} from this jump host (${err.message})`));
      else resolve(channel);
    });
  });
}

function handshake(target: SshTarget, host: string, opts: ConnectOptions, credentials: ReturnType<typeof credentialsFor>, sock?: Duplex): Promise<ClientType> {
  const port = target.port ?? 22;
  const readyTimeoutMs = target.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  // Looked up here for the algorithm order only; trustHostKey decides.
  const pinned = opts.knownHosts.lookup(target.host, port);
  const client = new ssh2.Client();
  return new Promise((resolve, reject) => {
    let refusal: SshError | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (e?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e) {
        client.destroy();
        reject(e);
      } else resolve(client);
    };
    const startDeadline = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new SshError(`${host}: timed out after ${readyTimeoutMs / 1000} s connecting (no SSH handshake)`)), readyTimeoutMs);
    };
    const hostVerifier = (blob: Buffer, verify: (ok: boolean) => void) => {
      clearTimeout(timer);
      trustHostKey(hostKeyOf(blob), target.host, port, host, opts.knownHosts, opts.confirmHostKey).then(
        () => {
          startDeadline();
          verify(true);
        },
        (e: SshError) => {
          refusal = e;
          verify(false);
        },
      );
    };
    client.on('ready', () => finish());
    client.on('error', (e: Error & { level?: string }) => {
      if (refusal) return finish(refusal);
      if (e.level === 'client-authentication') return finish(new AuthenticationError(`${host}: authentication failed for ${target.user} (tried: ${credentials.tried})`));
      finish(new SshError(connectErrorMessage(host, e, readyTimeoutMs)));
    });
    client.on('close', () => finish(refusal ?? new SshError(`${host}: the connection closed during the SSH handshake`)));
    const config: ConnectConfig = {
      host: target.host,
      port,
      sock,
      username: target.user,
      ...credentials.config,
      hostVerifier,
      // Our own deadline (startDeadline) stands in, so that it can pause while the user decides.
      readyTimeout: 0,
      keepaliveInterval: 15_000,
      algorithms: { serverHostKey: hostKeyAlgorithmsFor(pinned?.algorithm) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
    };
    startDeadline();
    client.connect(config);
  });
}
