// Adding a machine to the built-in cluster over SSH, as `kubelab node add` does, as one stream:
// the renderer opens it with the form, the main side pushes the join's steps and asks its
// questions (a new host key, consent to install packages), the renderer answers with
// streamSend. Closing the stream cancels the join (it takes back what it wrote).
import type { StreamOpened } from '../protocol.ts';
import type { KeychainStatus } from '../../provision/ssh/secret-vault.ts';

export type { KeychainStatus };

export type JoinAuth =
  | { kind: 'key'; path: string; passphrase?: string }
  | { kind: 'agent' }
  | { kind: 'password'; password: string };

export interface JoinNodeParams {
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  auth: JoinAuth;
  /** For sudo when the user is not root (the SSH password is used when there is none). */
  sudoPassword?: string;
  /** `user@host[:port]` to go through first (ssh -J); it logs in with the key or ssh-agent. */
  jump?: string;
  /** Default: the machine's hostname, lower-cased. */
  nodeName?: string;
  /** The node reaches the API through a reverse SSH tunnel from this computer. */
  tunnel?: boolean;
  /** The API server's https URL as the node reaches it (`--server`): default, the served one. */
  server?: string;
  /**
   * Keep the password (or the key's passphrase) in the OS keychain once the node joined, so the
   * node's terminal, its removal and the control plane's node links log in without asking.
   * Only where sshKeychain says it is available.
   */
  remember?: boolean;
}

/** The state of one step of the join (see src-main/provision/progress.ts). */
export interface JoinStep {
  step: string;
  status: 'started' | 'done' | 'warned' | 'failed' | 'skipped';
  durationMs?: number;
  detail?: string;
}

export interface JoinCheck {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

export interface HostKeyShown {
  algorithm: string;
  /** SHA256:... as ssh-keygen -lf prints it. */
  fingerprint: string;
}

/** What the main side pushes on a join stream. */
export type JoinMessage =
  | { type: 'step'; step: JoinStep }
  /** First contact: is this the host's key? Answer with a JoinAnswer 'host-key'. */
  | { type: 'host-key'; host: string; port: number; key: HostKeyShown }
  /** The pinned key differs from the offered one: refused (the stream then ends with the error). */
  | { type: 'host-key-changed'; host: string; pinned: HostKeyShown; offered: HostKeyShown }
  | { type: 'checks'; checks: JoinCheck[] }
  /** Preflight failed on what these packages fix: install them? Answer with 'packages'. */
  | { type: 'packages'; manager: string; packages: string[] }
  | { type: 'joined'; nodeName: string; outcome: 'joined' | 'already-joined' | 'repaired'; service?: string };

/** What the renderer sends back. */
export type JoinAnswer = { type: 'host-key'; trust: boolean } | { type: 'packages'; install: boolean };

export interface NodeJoinMethods {
  joinNode: { params: JoinNodeParams; result: StreamOpened };
  /** Whether SSH secrets can be remembered here (the desktop app with a keychain), and why not. */
  sshKeychain: { params: Record<string, never>; result: KeychainStatus };
}
