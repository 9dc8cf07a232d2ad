// Host keys trusted on first use and pinned, as ssh's known_hosts does: a JSON file in the data
// folder (0600, replaced atomically) from `[host]:port` (plain `host` for port 22) to the key.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../util/files.ts';
import type { HostKey } from './host-key.ts';

export interface PinnedHostKey extends HostKey {
  /** RFC 3339: when the user accepted it. */
  addedAt: string;
}

interface KnownHostsFile {
  hosts: Record<string, PinnedHostKey>;
}

/** The host's name in the store, as OpenSSH writes it in known_hosts. */
export function knownHostName(host: string, port = 22): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export class KnownHosts {
  constructor(readonly file: string) {}

  /** The store at `<dataDir>/known-hosts.json`. */
  static inDataDir(dataDir: string): KnownHosts {
    return new KnownHosts(join(dataDir, 'known-hosts.json'));
  }

  lookup(host: string, port = 22): PinnedHostKey | undefined {
    return this.read().hosts[knownHostName(host, port)];
  }

  pin(host: string, port: number, key: HostKey, now = new Date()): void {
    // Read again just before writing, so that a pin made meanwhile (another host) is kept.
    const content = this.read();
    content.hosts[knownHostName(host, port)] = { algorithm: key.algorithm, fingerprint: key.fingerprint, key: key.key, addedAt: now.toISOString() };
    this.write(content);
  }

  /** Forgets the host's key (after a reinstall), so the next connection asks again; false if none. */
  forget(host: string, port = 22): boolean {
    const content = this.read();
    const name = knownHostName(host, port);
    if (!content.hosts[name]) return false;
    delete content.hosts[name];
    this.write(content);
    return true;
  }

  private read(): KnownHostsFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { hosts: {} };
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as Partial<KnownHostsFile>;
      if (parsed && typeof parsed.hosts === 'object' && parsed.hosts) return { hosts: parsed.hosts };
    } catch { /* reported below */ }
    // Never start afresh over a damaged file: that would trust every host again silently.
    throw new Error(`${this.file}: not a known-hosts file (fix or remove it)`);
  }

  private write(content: KnownHostsFile): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file, `${JSON.stringify(content, null, 2)}\n`, 0o600);
  }
}
