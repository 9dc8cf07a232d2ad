// The SSH passwords and key passphrases the user asked to remember, kept in
// `<dataDir>/ssh-secrets.json` (0600) as ciphertext only: the desktop app's cipher is Electron's
// safeStorage, whose key lives in the OS keychain (macOS Keychain, Windows DPAPI, Secret Service
// or KWallet). Without a keychain (plain Node, `kubelab serve`) nothing is remembered. A secret
// that no longer decrypts (the keychain was reset, the folder moved to another machine) is
// dropped with one log line, and asked again like one never remembered.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/files.ts';

/** What Electron's safeStorage offers, adapted: see src-main/electron/keychain.ts. */
export interface SecretCipher {
  isAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** Whether secrets can be remembered here; the reason is for the user when they cannot. */
export type KeychainStatus = { available: true } | { available: false; reason: string };

/** A secret to remember for a node: its SSH password, or the passphrase of its key file. */
export type NodeSecret = { password: string } | { keyPath: string; passphrase: string };

/** One node's entry: base64 ciphertexts; a passphrase holds for one key file only. */
interface StoredSecrets {
  password?: string;
  keyPath?: string;
  passphrase?: string;
}

const FILE = 'ssh-secrets.json';
const NO_CIPHER = 'no system keychain here: only the desktop app can remember SSH passwords (browser mode asks each time)';
const UNAVAILABLE = 'the system keychain is not available (on Linux: no Secret Service or KWallet is running), so SSH passwords are asked each time';

export class SecretVault {
  readonly #path: string;

  /** `cipher` absent: no keychain (plain Node). */
  constructor(dataDir: string, private readonly cipher: SecretCipher | undefined, private readonly log: (line: string) => void = () => {}) {
    this.#path = join(dataDir, FILE);
  }

  get status(): KeychainStatus {
    if (!this.cipher) return { available: false, reason: NO_CIPHER };
    return this.cipher.isAvailable() ? { available: true } : { available: false, reason: UNAVAILABLE };
  }

  /** The node's remembered SSH password, if any (and the keychain opens it). */
  password(node: string): string | undefined {
    return this.#open(node, 'password');
  }

  /** The remembered passphrase of the node's key file, if it is this file's. */
  passphrase(node: string, keyPath: string | undefined): string | undefined {
    if (!keyPath || this.#read()[node]?.keyPath !== keyPath) return undefined;
    return this.#open(node, 'passphrase');
  }

  /** Encrypts and keeps the secret (replacing the node's earlier one of that kind). */
  remember(node: string, secret: NodeSecret): void {
    const status = this.status;
    if (!status.available) throw new Error(status.reason);
    const seal = (s: string) => this.cipher!.encryptString(s).toString('base64');
    const entry = 'password' in secret ? { password: seal(secret.password) } : { keyPath: secret.keyPath, passphrase: seal(secret.passphrase) };
    this.#write({ ...this.#read(), [node]: entry });
  }

  /** Forgets everything remembered for the node (removal, or a join without "remember"). Needs no keychain. */
  forget(node: string): void {
    const all = this.#read();
    if (!(node in all)) return;
    const { [node]: _gone, ...rest } = all;
    this.#write(rest);
  }

  #cipher(): SecretCipher | undefined {
    return this.cipher?.isAvailable() ? this.cipher : undefined;
  }

  #open(node: string, field: 'password' | 'passphrase'): string | undefined {
    const cipher = this.#cipher();
    const sealed = this.#read()[node]?.[field];
    if (!cipher || !sealed) return undefined;
    try {
      return cipher.decryptString(Buffer.from(sealed, 'base64'));
    } catch {
      // The keychain's key changed: this ciphertext is noise now. Said once, never with its bytes.
      this.log(`ssh secrets: the remembered ${field} of node ${node} cannot be decrypted with the system keychain's key (was it reset?): forgotten, it will be asked again`);
      this.forget(node);
      return undefined;
    }
  }

  #read(): Record<string, StoredSecrets> {
    if (!existsSync(this.#path)) return {};
    try {
      return (JSON.parse(readFileSync(this.#path, 'utf8')) as { nodes?: Record<string, StoredSecrets> }).nodes ?? {};
    } catch (e) {
      // A damaged file holds nothing usable; it is replaced at the next write.
      this.log(`ssh secrets: cannot read ${this.#path} (${(e as Error).message}): nothing remembered is used`);
      return {};
    }
  }

  #write(nodes: Record<string, StoredSecrets>): void {
    writeFileAtomic(this.#path, `${JSON.stringify({ nodes }, null, 2)}\n`, 0o600);
  }
}
