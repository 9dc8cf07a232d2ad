// A server's host key as the user is shown it: OpenSSH's `SHA256:<base64 without padding>` of the
// key blob (what `ssh-keygen -lf` and ssh's first-connection prompt print), and its algorithm.
import { createHash } from 'node:crypto';

export interface HostKey {
  /** The key type from the blob, e.g. ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa. */
  algorithm: string;
  /** SHA256:... as OpenSSH prints it. */
  fingerprint: string;
  /** The public key blob (RFC 4253 §6.6), base64: what is pinned and compared. */
  key: string;
}

/** Reads the algorithm name (the blob's first SSH string) and fingerprints the blob. */
export function hostKeyOf(blob: Buffer): HostKey {
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const algorithm = len > 0 && 4 + len <= blob.length ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
  return { algorithm, fingerprint: sha256Fingerprint(blob), key: blob.toString('base64') };
}

export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The host key algorithms to offer the server, the pinned one's first: a server with several
 * host keys then presents the pinned one, as OpenSSH prefers algorithms it has in known_hosts,
 * so a second key type is never mistaken for a changed key.
 */
export function hostKeyAlgorithmsFor(pinned: string | undefined): string[] {
  const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  // An RSA key blob says ssh-rsa whatever signature algorithm (rsa-sha2-*) signs with it.
  const preferred = pinned === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : all.filter((a) => a === pinned);
  return [...preferred, ...all.filter((a) => !preferred.includes(a))];
}
