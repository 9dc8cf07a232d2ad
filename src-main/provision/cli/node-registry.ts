// How the laptop reaches each node it added: `<dataDir>/nodes.json` (0600), address and the kind
// of authentication, never a password or passphrase (those the desktop app may remember are in
// the keychain vault, ../ssh/secret-vault.ts). upgrade, remove and image load read it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/files.ts';
import { SecretVault } from '../ssh/secret-vault.ts';

export interface NodeRecord {
  /** user@host[:port], as given to node add. */
  address: string;
  auth: 'key' | 'agent' | 'password';
  keyPath?: string;
  jump?: string;
  /** The API URL the node was told. */
  server: string;
  /** A test host of `kubelab lab up` (lab down removes it). */
  lab?: boolean;
  /** The node reaches the API through a reverse SSH tunnel to its 127.0.0.1:<port>. */
  tunnelPort?: number;
}

export class NodeRegistry {
  private readonly path: string;

  constructor(private readonly dataDir: string) {
    this.path = join(dataDir, 'nodes.json');
  }

  all(): Record<string, NodeRecord> {
    if (!existsSync(this.path)) return {};
    return (JSON.parse(readFileSync(this.path, 'utf8')) as { nodes: Record<string, NodeRecord> }).nodes;
  }

  get(name: string): NodeRecord | undefined {
    return this.all()[name];
  }

  set(name: string, record: NodeRecord): void {
    this.write({ ...this.all(), [name]: record });
  }

  /** Forgets the node, and with it any secret remembered for it (from the app, the CLI or lab down). */
  delete(name: string): void {
    const { [name]: _gone, ...rest } = this.all();
    this.write(rest);
    new SecretVault(this.dataDir, undefined).forget(name);
  }

  private write(nodes: Record<string, NodeRecord>): void {
    writeFileAtomic(this.path, `${JSON.stringify({ nodes }, null, 2)}\n`, 0o600);
  }
}
