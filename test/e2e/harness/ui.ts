// What every browser test needs: a control plane in browser mode (the same process `kubelab
// serve` runs), a client for the test's own API calls, and Debian's chromium on the printed URL.
// Screenshots go under test-output/screenshots/, one per main view, for people to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { KubeClient } from '../../../src-main/client/kube-client.ts';
import { appRoot } from '../../../src-main/paths.ts';
import { startBrowserMode, type BrowserModeServer, type StartArgs } from '../../../src-main/start.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Off CI a machine without chromium skips browser tests; CI installs it, so there it must run. */
export const NO_BROWSER = !existsSync(CHROMIUM) && !process.env.CI;

const SCREENSHOTS = join(appRoot(), 'test-output', 'screenshots');

export interface UiHarness {
  server: BrowserModeServer;
  client: KubeClient;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  dataDir: string;
  /** Opens the app (with the token) at a view: `#/pods`. Waits until the stream is live. */
  open(view?: string): Promise<void>;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

export async function startUi(args: StartArgs = {}, viewport = { width: 1280, height: 800 }): Promise<UiHarness> {
  const dataDir = args.dataDir ?? mkdtempSync(join(tmpdir(), 'kubelab-e2e-'));
  const server = await startBrowserMode({ port: 0, address: '127.0.0.1', ...args, dataDir });
  return browseUi(server, dataDir, () => {
    if (!args.dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, viewport);
}

/** Chromium on a server already serving the UI; close() closes both, then calls cleanup. */
export async function browseUi(server: BrowserModeServer, dataDir: string, cleanup: () => void | Promise<void>, viewport = { width: 1280, height: 800 }): Promise<UiHarness> {
  const client = new KubeClient({ server: server.url, token: server.adminToken, ca: server.caPem });
  const browser = await launchChromium();
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  const page = await context.newPage();
  return {
    server, client, browser, context, page, dataDir,
    async open(view = '') {
      const url = new URL(server.uiUrl);
      // The token rides in the fragment; the route goes after it (the page strips the token).
      await page.goto(url.toString());
      await page.locator('[role=status]', { hasText: 'Live' }).waitFor({ timeout: 20_000 });
      if (view) await page.evaluate((hash) => (location.hash = hash), view);
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
    },
    async close() {
      await browser.close().catch(() => {});
      client.close();
      await server.close();
      await cleanup();
    },
  };
}
