// The add-node form's "Remember in the system keychain", in headless Chromium. Browser mode has
// no keychain: the form says so and offers nothing. With one (a real cipher standing in for
// Electron's safeStorage, as the desktop app passes it), the checkbox sits beside the password
// and the key's passphrase; a wrong password fails in one line and remembers nothing; the right
// one, remembered, joins a test host (its own network namespace and sshd) and is kept as
// ciphertext only. The node, the host and the routes are removed afterwards.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeNamedNode } from '../../src-main/provision/cli/node-commands.ts';
import { NodeRegistry } from '../../src-main/provision/cli/node-registry.ts';
import { ensureBlackholeRoutes, removeBlackholeRoutes } from '../../src-main/provision/lab/blackhole-routes.ts';
import { createTestHosts, isClean, removeTestHosts, type TestLab } from '../../src-main/provision/lab/test-hosts.ts';
import { SecretVault } from '../../src-main/provision/ssh/secret-vault.ts';
import { testKeychain } from '../integration/harness/test-keychain.ts';
import { createUnixUser, type UnixUser } from '../integration/harness/unix-users.ts';
import { NO_BROWSER, startUi, type UiHarness } from './harness/ui.ts';

const LAB = 'uikeys';
const NOT_ROOT = process.getuid?.() !== 0;
const dir = mkdtempSync(join(tmpdir(), 'kubelab-e2e-keychain-'));
const keychain = testKeychain();
let routes: string[] = [];
let lab: TestLab | undefined;
let ui: UiHarness | undefined;
let user: UnixUser | undefined;

describe.skipIf(NO_BROWSER)('add node: remembering the password', () => {
  it('says browser mode has no keychain, and offers no checkbox', async () => {
    const plain = await startUi({ dataDir: join(dir, 'plain') });
    try {
      await plain.open('#/add-node');
      await plain.page.locator('input[name=auth][value=password]').check();
      await plain.page.getByTestId('no-keychain').waitFor();
      expect(await plain.page.getByTestId('no-keychain').textContent()).toBe('Not remembered: no system keychain here: only the desktop app can remember SSH passwords (browser mode asks each time).');
      expect(await plain.page.locator('input[name=remember]').count()).toBe(0);
    } finally {
      await plain.close();
    }
  });

  describe.skipIf(NOT_ROOT)('with a keychain', () => {
    beforeAll(async () => {
      routes = ensureBlackholeRoutes();
      lab = await createTestHosts({ lab: LAB, count: 1, dir: join(dir, 'lab') });
      ui = await startUi({ address: lab.gateway, dataDir: join(dir, 'data'), keychain });
      user = createUnixUser(`kl${process.pid}u`, 'password');
    }, 120_000);

    afterAll(async () => {
      const node = lab?.hosts[0]?.hostname;
      if (ui && node && new NodeRegistry(ui.dataDir).get(node)) await removeNamedNode(ui.dataDir, node, { password: user?.password });
      await ui?.close();
      user?.remove();
      const left = await removeTestHosts(LAB, join(dir, 'lab'));
      removeBlackholeRoutes(routes);
      rmSync(dir, { recursive: true, force: true });
      expect(isClean(left), JSON.stringify(left)).toBe(true);
    }, 180_000);

    const secretsFile = () => join(ui!.dataDir, 'ssh-secrets.json');

    async function fill(password: string): Promise<void> {
      const { page } = ui!;
      await ui!.open('#/add-node');
      await page.locator('input[name=host]').fill(lab!.hosts[0]!.address);
      await page.locator('input[name=user]').fill(user!.name);
      await page.locator('input[name=auth][value=password]').check();
      await page.locator('input[name=password]').fill(password);
      await page.getByLabel('Remember in the system keychain').check();
    }

    it('offers the checkbox beside the passphrase and the password', async () => {
      const { page } = ui!;
      await ui!.open('#/add-node');
      await page.getByLabel('Remember in the system keychain').waitFor();
      expect(await page.getByTestId('no-keychain').count()).toBe(0);
      await page.locator('input[name=auth][value=agent]').check();
      expect(await page.locator('input[name=remember]').count()).toBe(0);
      await page.locator('input[name=auth][value=password]').check();
      expect(await page.locator('input[name=remember]').count()).toBe(1);
    });

    it('fails a wrong password in one line and remembers nothing', async () => {
      const { page } = ui!;
      const wrong = `not-${user!.password}`;
      await fill(wrong);
      await page.getByRole('button', { name: 'Connect and add' }).click();
      const question = page.getByRole('dialog', { name: 'Confirm the host key' });
      await question.waitFor({ timeout: 30_000 });
      await question.getByRole('button', { name: 'Trust this key' }).click();
      await page.locator('h3.error', { hasText: `${lab!.hosts[0]!.address}: authentication failed for ${user!.name} (tried: password)` }).waitFor({ timeout: 60_000 });
      expect(await page.content()).not.toContain(wrong);
      expect(existsSync(secretsFile()) ? JSON.parse(readFileSync(secretsFile(), 'utf8')).nodes : {}).toEqual({});
    }, 120_000);

    it('joins with the password remembered, kept as ciphertext only', async () => {
      const { page } = ui!;
      const host = lab!.hosts[0]!;
      await fill(user!.password);
      await ui!.screenshot('add-node-remember');
      await page.getByRole('button', { name: 'Connect and add' }).click();
      await page.locator('[role=status]', { hasText: `${host.hostname} joined the cluster` }).waitFor({ timeout: 180_000 });
      const file = readFileSync(secretsFile(), 'utf8');
      for (const trace of [user!.password, Buffer.from(user!.password).toString('base64')]) expect(file).not.toContain(trace);
      expect(new SecretVault(ui!.dataDir, keychain).password(host.hostname)).toBe(user!.password);
      expect(await page.content()).not.toContain(user!.password);
    }, 240_000);
  });
});
