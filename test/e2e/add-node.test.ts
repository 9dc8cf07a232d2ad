// The add-node wizard against a real machine: a test host (its own network namespace and sshd)
// joins the control plane, which is served on the lab bridge's address so the host reaches it.
// The form is filled as a person would, the host key's fingerprint is the host's own, the steps
// run to Ready and the node shows up; a host whose key changed since is refused with both
// fingerprints shown. The node, the hosts and the routes are removed afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { removeNamedNode } from '../../src-main/provision/cli/node-commands.ts';
import { NodeRegistry } from '../../src-main/provision/cli/node-registry.ts';
import { ensureBlackholeRoutes, removeBlackholeRoutes } from '../../src-main/provision/lab/blackhole-routes.ts';
import { createTestHosts, isClean, removeTestHosts, type TestLab } from '../../src-main/provision/lab/test-hosts.ts';
import { hostKeyOf } from '../../src-main/provision/ssh/host-key.ts';
import { KnownHosts } from '../../src-main/provision/ssh/known-hosts.ts';
import { NO_BROWSER, startUi, type UiHarness } from './harness/ui.ts';

const LAB = 'uiadd';
const NOT_ROOT = process.getuid?.() !== 0;
const dir = mkdtempSync(join(tmpdir(), 'kubelab-e2e-add-node-'));
let routes: string[] = [];
let lab: TestLab | undefined;
let ui: UiHarness | undefined;

const ready = (n: Node | undefined) => n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

describe.skipIf(NO_BROWSER || NOT_ROOT)('add a node through the wizard', () => {
  beforeAll(async () => {
    // Before any pod exists: cluster addresses must never leave the machine.
    routes = ensureBlackholeRoutes();
    lab = await createTestHosts({ lab: LAB, count: 1, dir: join(dir, 'lab') });
    ui = await startUi({ address: lab.gateway, dataDir: join(dir, 'data') });
  }, 120_000);

  afterAll(async () => {
    const node = lab?.hosts[0]?.hostname;
    if (ui && node && new NodeRegistry(ui.dataDir).get(node)) await removeNamedNode(ui.dataDir, node, {});
    await ui?.close();
    const left = await removeTestHosts(LAB, join(dir, 'lab'));
    removeBlackholeRoutes(routes);
    rmSync(dir, { recursive: true, force: true });
    expect(isClean(left), JSON.stringify(left)).toBe(true);
  }, 180_000);

  it('joins the host: fingerprint confirmed, every step done, the node Ready', async () => {
    const { page } = ui!;
    const host = lab!.hosts[0]!;
    await ui!.open('#/add-node');
    await page.locator('input[name=host]').fill(host.address);
    await page.locator('input[name=user]').fill('root');
    await page.locator('input[name=key]').fill(lab!.keyPath);
    await ui!.screenshot('add-node-form');
    await page.getByRole('button', { name: 'Connect and add' }).click();

    const question = page.getByRole('dialog', { name: 'Confirm the host key' });
    await question.waitFor({ timeout: 30_000 });
    expect(await question.getByTestId('fingerprint').textContent()).toBe(host.hostKeyFingerprint);
    await ui!.screenshot('add-node-fingerprint');
    await question.getByRole('button', { name: 'Trust this key' }).click();

    await page.locator('[role=status]', { hasText: `${host.hostname} joined the cluster` }).waitFor({ timeout: 180_000 });
    await page.locator('.node-state', { hasText: /^Ready$/ }).waitFor({ timeout: 30_000 });
    for (const step of ['connect', 'facts', 'validate', 'stage', 'install', 'ready', 'cleanup']) {
      expect(await page.locator(`li[data-step=${step}]`).getAttribute('class'), step).toContain('done');
      expect(await page.locator(`li[data-step=${step}] .took`).textContent(), step).toMatch(/^\d+\.\d s$/);
    }
    expect(await page.locator('li[data-check=runtime]').getAttribute('class')).toContain('pass');
    await ui!.screenshot('add-node-progress');

    // What the CLI's join leaves: the node Ready, the host key pinned, the registry without a secret.
    expect(ready(await ui!.client.get<Node>(gvr.nodes, undefined, host.hostname))).toBe(true);
    expect(KnownHosts.inDataDir(ui!.dataDir).lookup(host.address, 22)?.fingerprint).toBe(host.hostKeyFingerprint);
    expect(new NodeRegistry(ui!.dataDir).get(host.hostname)).toMatchObject({ address: `root@${host.address}`, auth: 'key', keyPath: lab!.keyPath });
    await page.getByRole('link', { name: host.hostname }).click();
    expect(await page.evaluate(() => location.hash)).toBe(`#/nodes?node=${host.hostname}`);
  }, 300_000);

  it('refuses a host whose key changed, showing the pinned and the offered fingerprints', async () => {
    const { page } = ui!;
    const host = lab!.hosts[0]!;
    const known = KnownHosts.inDataDir(ui!.dataDir);
    // Another key pinned for the address, as if the machine had been reinstalled (or intercepted).
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
    const other = hostKeyOf(Buffer.from(readFileSync(join(dir, 'other.pub'), 'utf8').split(' ')[1]!, 'base64'));
    known.forget(host.address, 22);
    known.pin(host.address, 22, other);

    await ui!.open('#/add-node');
    await page.locator('input[name=host]').fill(host.address);
    await page.locator('input[name=key]').fill(lab!.keyPath);
    await page.getByRole('button', { name: 'Connect and add' }).click();
    const alert = page.locator('[role=alert]', { hasText: 'has changed: refused' });
    await alert.waitFor({ timeout: 30_000 });
    const text = await alert.textContent();
    expect(text).toContain(other.fingerprint);
    expect(text).toContain(host.hostKeyFingerprint);
    await page.locator('h3.error', { hasText: 'the host key has CHANGED' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('li[data-step=connect]').getAttribute('class')).toContain('failed');
    // Nothing was asked and nothing changed: the node is still the one joined before.
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(known.lookup(host.address, 22)?.fingerprint).toBe(other.fingerprint);
    known.forget(host.address, 22);
    known.pin(host.address, 22, hostKeyOf(Buffer.from(host.hostKey.split(' ')[1]!, 'base64')));
  }, 120_000);
});
