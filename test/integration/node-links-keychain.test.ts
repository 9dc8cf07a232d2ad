// The control plane's node links for a node that logs in with a password: left alone when nothing
// is remembered (as before), and, once the desktop app remembered the password in the keychain,
// its reverse tunnel is opened with it, against a real OpenSSH server on loopback: a TCP exchange
// made on the host's tunnel port reaches this computer's "API" (a local echo server).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRegistry } from '../../src-main/provision/cli/node-registry.ts';
import { startNodeLinks } from '../../src-main/provision/node-links.ts';
import { connectSsh } from '../../src-main/provision/ssh/connect.ts';
import { KnownHosts } from '../../src-main/provision/ssh/known-hosts.ts';
import { SecretVault } from '../../src-main/provision/ssh/secret-vault.ts';
import { waitFor } from './harness/cluster.ts';
import { startSshd, type TestSshd } from './harness/sshd.ts';
import { freePort } from './harness/stream-clients.ts';
import { testKeychain } from './harness/test-keychain.ts';
import { createUnixUser, type UnixUser } from './harness/unix-users.ts';

let dir: string;
let dataDir: string;
let sshd: TestSshd;
let user: UnixUser;
let api: Server;
let apiPort: number;
let tunnelPort: number;

/** One line through the host's end of the tunnel; the echo server answers "api:<line>". */
function throughTunnel(line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(tunnelPort, '127.0.0.1', () => s.write(line));
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes(line)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kl-links-keychain-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  user = createUnixUser(`kl${process.pid}t`, 'none');
  sshd = await startSshd({ users: [{ name: user.name }] });
  api = createServer((c) => c.on('data', (d: Buffer) => c.write(`api:${d.toString()}`)));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiPort = (api.address() as { port: number }).port;
  tunnelPort = await freePort();
  // Pinned at "join", as node add does.
  const first = await connectSsh({ host: sshd.host, port: sshd.port, user: user.name, auth: { kind: 'password', password: user.password } }, { knownHosts: KnownHosts.inDataDir(dataDir), confirmHostKey: async () => true });
  await first.close();
  new NodeRegistry(dataDir).set('tunnelled', { address: `${user.name}@127.0.0.1:${sshd.port}`, auth: 'password', server: 'https://127.0.0.1:16443', tunnelPort });
});

afterAll(async () => {
  api?.close();
  await sshd?.stop();
  user?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('node links of a password node', () => {
  it('leave it alone when its password is not remembered', async () => {
    const log: string[] = [];
    const links = await startNodeLinks({ dataDir, serverURL: `https://127.0.0.1:${apiPort}`, log: (l) => log.push(l), secrets: new SecretVault(dataDir, testKeychain()) });
    await expect(throughTunnel('hello')).rejects.toThrow(/ECONNREFUSED/);
    await links.stop();
    expect(log).toEqual([]);
  });

  it('open its tunnel with the password remembered in the keychain', async () => {
    const secrets = new SecretVault(dataDir, testKeychain());
    secrets.remember('tunnelled', { password: user.password });
    const log: string[] = [];
    const links = await startNodeLinks({ dataDir, serverURL: `https://127.0.0.1:${apiPort}`, log: (l) => log.push(l), secrets });
    try {
      await waitFor('the tunnel up', async () => (await throughTunnel('ping').catch(() => '')) === 'api:ping', 20_000, 200);
      for (const line of log) expect(line).not.toContain(user.password);
    } finally {
      await links.stop();
    }
  });
});
