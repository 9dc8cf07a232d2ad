// Trust on first use: a pinned key must match exactly (a changed one is refused, always); an
// unknown one is shown to the user with its fingerprint and pinned once they accept it.
import { HostKeyChangedError, HostKeyNotTrustedError } from './errors.ts';
import type { HostKey } from './host-key.ts';
import { knownHostName, type KnownHosts } from './known-hosts.ts';

export interface HostKeyQuestion {
  host: string;
  port: number;
  algorithm: string;
  /** SHA256:... as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

export type ConfirmHostKey = (question: HostKeyQuestion) => Promise<boolean>;

/** Resolves when the key may be used; rejects with the reason to show the user when not. */
export async function trustHostKey(offered: HostKey, host: string, port: number, label: string, knownHosts: KnownHosts, confirm?: ConfirmHostKey): Promise<void> {
  const pinned = knownHosts.lookup(host, port);
  if (pinned) {
    if (pinned.key !== offered.key) throw new HostKeyChangedError(label, pinned, offered, knownHosts.file, knownHostName(host, port));
    return;
  }
  const shown = `${offered.algorithm} ${offered.fingerprint}`;
  if (!confirm) throw new HostKeyNotTrustedError(`${label}: unknown host key ${shown}, refused: there is no one to confirm it (connect once interactively to trust it)`);
  let yes: boolean;
  try {
    yes = await confirm({ host, port, algorithm: offered.algorithm, fingerprint: offered.fingerprint });
  } catch (e) {
    throw new HostKeyNotTrustedError(`${label}: host key ${shown} not confirmed (${(e as Error).message})`);
  }
  if (!yes) throw new HostKeyNotTrustedError(`${label}: host key ${shown} not trusted by the user`);
  knownHosts.pin(host, port, offered);
}
