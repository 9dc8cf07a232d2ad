// The first screen in a real browser against a real control plane: what kubectl does to pods
// shows up live, and the page's own delete button works.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src-main/client/kube-client.ts';
import { startBrowserMode, type BrowserModeServer } from '../../src-main/start.ts';

const CHROMIUM = '/usr/bin/chromium';
const PODS = { group: '', version: 'v1', resource: 'pods' };
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };

// Skipped only off CI: CI installs chromium, so there a missing browser is a failure.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('pods screen in the browser', () => {
  let dataDir: string;
  let server: BrowserModeServer;
  let client: KubeClient;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kubelab-e2e-ui-'));
    server = await startBrowserMode({ dataDir, port: 0, address: '127.0.0.1' });
    client = new KubeClient({ server: server.url, token: server.adminToken, ca: server.caPem });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 700 } });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    client?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const row = (key: string) => page.locator(`tr[data-pod="${key}"]`);

  it('opens with the printed URL, hides the token and goes live', async () => {
    await page.goto(server.uiUrl);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Pods', exact: true }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 15_000 }).toContain('Live');
    expect(new URL(page.url()).hash).toBe('#/pods');
    const options = await page.locator('select[aria-label=Namespace] option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['All namespaces', 'default', 'kube-system', 'kube-public']));
  }, 30_000);

  it('shows a namespace and a pod created through the API without a reload', async () => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'e2e-ui' } });
    await client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'e2e-ui' },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
    });
    await expect.poll(() => row('e2e-ui/web').count(), { timeout: 10_000 }).toBe(1);
    const cells = await row('e2e-ui/web').locator('td').allTextContents();
    expect(cells.slice(0, 5).map((c) => c.trim())).toEqual(['e2e-ui', 'web', '0/1', 'Pending', '0']);
    await expect.poll(() => page.locator('select[aria-label=Namespace] option').allTextContents()).toContain('e2e-ui');

    await page.selectOption('select[aria-label=Namespace]', 'e2e-ui');
    await expect.poll(() => page.locator('tbody tr[data-pod]').count()).toBe(1);
    await page.screenshot({ path: '/tmp/kubelab-ui.png' });
  }, 30_000);

  it('removes a pod deleted through the API', async () => {
    await client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'batch', namespace: 'e2e-ui' },
      spec: { containers: [{ name: 'job', image: 'busybox' }] },
    });
    await expect.poll(() => row('e2e-ui/batch').count(), { timeout: 10_000 }).toBe(1);
    await client.delete(PODS, 'e2e-ui', 'batch');
    await expect.poll(() => row('e2e-ui/batch').count(), { timeout: 10_000 }).toBe(0);
  }, 30_000);

  it("deletes a pod with the row's button, through the API", async () => {
    await row('e2e-ui/web').getByRole('button', { name: 'Delete pod e2e-ui/web' }).click();
    await expect.poll(() => row('e2e-ui/web').count(), { timeout: 10_000 }).toBe(0);
    const left = await client.list(PODS, { namespace: 'e2e-ui' });
    expect(left.items.map((p) => p.metadata?.name)).toEqual([]);
    await expect.poll(() => page.getByText('No pods in e2e-ui').count()).toBe(1);
  }, 30_000);

  it('asks for a token when the page is opened without one, and refuses a wrong one', async () => {
    const other = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const tab = await other.newPage();
      await tab.goto(new URL('/', server.url).toString());
      await expect.poll(() => tab.getByText('Access token needed').count(), { timeout: 10_000 }).toBe(1);
      await tab.getByLabel('Access token').fill('not-the-token');
      await tab.getByRole('button', { name: 'Connect' }).click();
      await expect.poll(() => tab.locator('[role=status]').textContent(), { timeout: 10_000 }).toContain('Locked');
      expect(await tab.locator('table').count()).toBe(0);
    } finally {
      await other.close();
    }
  }, 30_000);
});
