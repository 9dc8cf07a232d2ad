// SSH passwords remembered in the keychain, end to end through the bridge as the desktop app runs
// it: a test host (its own network namespace and sshd) joins a control plane with a sudo user's
// password and "remember"; the password lands in ssh-secrets.json as ciphertext only; the node's
// terminal then opens and its removal runs without asking for it; the removal forgets it. A wrong
// password with "remember" fails in one line and remembers nothing. No event, log line or error
// ever holds the password. The keychain is a real cipher with its key in memory (test-keychain.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinMessage, JoinNodeParams } from '../../src-main/bridge/api/node-join.ts';
import type { RemoveNodeMessage } from '../../src-main/bridge/api/nodes.ts';
import type { StreamEvent } from '../../src-main/bridge/protocol.ts';
import type { ServiceDeps } from '../../src-main/bridge/services/deps.ts';
import { nodeJoinServices } from '../../src-main/bridge/services/node-join.ts';
import { nodeServices } from '../../src-main/bridge/services/nodes.ts';
import { Session } from '../../src-main/bridge/session.ts';
import { startControlPlane, type ControlPlane } from '../../src-main/control-plane.ts';
import { NodeRegistry } from '../../src-main/provision/cli/node-registry.ts';
import { ensureBlackholeRoutes, removeBlackholeRoutes } from '../../src-main/provision/lab/blackhole-routes.ts';
import { createTestHosts, isClean, removeTestHosts, type TestLab } from '../../src-main/provision/lab/test-hosts.ts';
import { TerminalClient } from './harness/terminal-client.ts';
import { testKeychain } from './harness/test-keychain.ts';
import { createUnixUser, type UnixUser } from './harness/unix-users.ts';

const LAB = 'sshsec';
const NOT_ROOT = process.getuid?.() !== 0;
const dir = mkdtempSync(join(tmpdir(), 'kl-ssh-secrets-'));
const dataDir = join(dir, 'data');
let routes: string[] = [];
let lab: TestLab | undefined;
let cp: ControlPlane | undefined;
let user: UnixUser | undefined;
let deps: ServiceDeps;
const logLines: string[] = [];
/** Every message and end of every stream the test opened, as JSON. */
const streamed: string[] = [];

/** One stream as a window sees it; host-key questions answered yes. */
function openStream<M>(open: (session: Session) => Promise<{ stream: number }>): Promise<{ messages: M[]; error?: string }> {
  const messages: M[] = [];
  return new Promise((resolve, reject) => {
    let id = 0;
    const session = new Session((e) => {
      const event = e as StreamEvent;
      streamed.push(JSON.stringify(event));
      if (event.type === 'stream-end') {
        session.close();
        resolve({ messages, ...(event.error !== undefined ? { error: event.error } : {}) });
        return;
      }
      messages.push(event.message as M);
      const m = event.message as JoinMessage;
      if (m.type === 'host-key') setImmediate(() => session.sendToStream(id, { type: 'host-key', trust: true }));
    });
    open(session).then(({ stream }) => (id = stream), reject);
  });
}

const join_ = (params: JoinNodeParams) => openStream<JoinMessage>((session) => nodeJoinServices(deps).joinNode.run(params, { session }));
const secretsFile = () => join(dataDir, 'ssh-secrets.json');
/** The password, its base64 and its hex: none may be anywhere. */
const traces = (s: string) => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex')];

describe.skipIf(NOT_ROOT)('SSH passwords remembered in the keychain', () => {
  beforeAll(async () => {
    routes = ensureBlackholeRoutes();
    lab = await createTestHosts({ lab: LAB, count: 1, dir: join(dir, 'lab') });
    cp = await startControlPlane({ dataDir, port: 0, address: lab.gateway, keychain: testKeychain(), log: (l) => logLines.push(l) });
    deps = { client: cp.client, dataDir, sshSecrets: cp.sshSecrets };
    // A sudoer that logs in with a password: the host shares the machine's users.
    user = createUnixUser(`kl${process.pid}v`, 'password');
  }, 180_000);

  afterAll(async () => {
    const node = lab?.hosts[0]?.hostname;
    if (cp && node && new NodeRegistry(dataDir).get(node)) await openStream<RemoveNodeMessage>((session) => nodeServices(deps).removeNode.run({ name: node, password: user!.password }, { session }));
    await cp?.close();
    user?.remove();
    const left = await removeTestHosts(LAB, join(dir, 'lab'));
    removeBlackholeRoutes(routes);
    rmSync(dir, { recursive: true, force: true });
    expect(isClean(left), JSON.stringify(left)).toBe(true);
  }, 180_000);

  it('says the keychain is there, and refuses "remember" with nothing to remember', async () => {
    expect(await nodeJoinServices(deps).sshKeychain.run({}, { session: new Session(() => {}) })).toEqual({ available: true });
    expect(() => nodeJoinServices(deps).joinNode.check({ host: lab!.hosts[0]!.address, user: 'root', auth: { kind: 'agent' }, remember: true })).toThrow('joinNode: remember: there is no password or key passphrase to remember');
    const none = { client: cp!.client, dataDir };
    expect(await nodeJoinServices(none).sshKeychain.run({}, { session: new Session(() => {}) })).toMatchObject({ available: false, reason: expect.stringContaining('only the desktop app') });
    await expect(nodeJoinServices(none).joinNode.run({ host: lab!.hosts[0]!.address, user: user!.name, auth: { kind: 'password', password: user!.password }, remember: true }, { session: new Session(() => {}) }))
      .rejects.toThrow(/^joinNode: cannot remember the password: no system keychain here/);
  });

  it('fails a join with a wrong password in one line, and remembers nothing', async () => {
    const host = lab!.hosts[0]!;
    const wrong = `not-${user!.password}`;
    const r = await join_({ host: host.address, user: user!.name, auth: { kind: 'password', password: wrong }, remember: true });
    expect(r.error).toBe(`${host.address}: authentication failed for ${user!.name} (tried: password)`);
    expect(existsSync(secretsFile()) ? JSON.parse(readFileSync(secretsFile(), 'utf8')).nodes : {}).toEqual({});
    for (const line of [...streamed, ...logLines]) for (const t of traces(wrong)) expect(line).not.toContain(t);
  });

  it('joins with the password remembered as ciphertext only; the terminal and the removal then never ask for it', async () => {
    const host = lab!.hosts[0]!;
    const password = user!.password;
    const r = await join_({ host: host.address, user: user!.name, auth: { kind: 'password', password }, remember: true });
    expect(r.error, JSON.stringify(r.messages)).toBeUndefined();
    expect(r.messages.at(-1)).toMatchObject({ type: 'joined', nodeName: host.hostname });
    const file = readFileSync(secretsFile(), 'utf8');
    expect(Object.keys(JSON.parse(file).nodes)).toEqual([host.hostname]);
    for (const t of traces(password)) expect(file).not.toContain(t);
    expect(readFileSync(join(dataDir, 'nodes.json'), 'utf8')).not.toContain(password);

    // The node's terminal: in, with no prompt at all.
    const t = await TerminalClient.open(deps, { type: 'node', node: host.hostname });
    t.type('echo "who=$(id -un) on=$(hostname)"\r');
    await t.until(`who=${user!.name} on=${host.hostname}`);
    expect(t.prompts).toEqual([]);
    t.close();

    // Its removal, without a password given: the remembered one logs in and runs sudo.
    const removed = await openStream<RemoveNodeMessage>((session) => nodeServices(deps).removeNode.run({ name: host.hostname }, { session }));
    expect(removed.error, JSON.stringify(removed.messages)).toBeUndefined();
    expect(removed.messages.at(-1)).toEqual({ type: 'done', left: [] });
    expect(new NodeRegistry(dataDir).get(host.hostname)).toBeUndefined();
    expect(JSON.parse(readFileSync(secretsFile(), 'utf8')).nodes).toEqual({});

    // Nothing that went to the window or the log holds the password.
    expect(streamed.length).toBeGreaterThan(10);
    for (const line of [...streamed, ...logLines, t.out]) for (const s of traces(password)) expect(line).not.toContain(s);
  }, 300_000);
});
