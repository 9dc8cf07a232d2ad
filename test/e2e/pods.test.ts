// The Pods view in a real browser against a real control plane with hollow nodes: a few hundred
// pods listed with only a window of rows in the DOM, filtered by label selector and text, and a
// pod's details with its events arriving live.
import type { Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { NO_BROWSER, startUi, type UiHarness } from './harness/ui.ts';

const NS = 'shop';
const PER_APP = 150;

function pod(app: 'web' | 'db', i: number): Pod {
  const name = `${app}-${String(i).padStart(3, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app, tier: app === 'web' ? 'fe' : 'data', ...(i % 50 === 0 ? { legacy: 'true' } : {}) } },
    spec: { nodeName: `sim-${(i % 3) + 1}`, containers: [{ name: app, image: app === 'web' ? 'nginx:1.27' : 'postgres:16' }] },
  };
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe.skipIf(NO_BROWSER)('pods view', () => {
  let ui: UiHarness;
  const count = () => ui.page.locator('[data-count]').textContent();
  const rowsInDom = () => ui.page.locator('tbody tr[data-pod]').count();

  beforeAll(async () => {
    ui = await startUi({ simulateNodes: 3 });
    await ui.client.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const pods = [...Array(PER_APP).keys()].flatMap((i) => [pod('web', i), pod('db', i)]);
    await inBatches(pods, 25, (p) => ui.client.create(gvr.pods, p));
    await ui.open('#/pods');
    await ui.page.selectOption('select[aria-label=Namespace]', NS);
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('lists every pod but keeps only a window of rows in the DOM', async () => {
    await expect.poll(count, { timeout: 20_000 }).toBe('300');
    const inDom = await rowsInDom();
    expect(inDom).toBeGreaterThan(10);
    expect(inDom).toBeLessThan(80);
    // kubectl's order: db-* before web-*.
    expect(await ui.page.locator('tbody tr[data-pod]').first().getAttribute('data-pod')).toBe(`${NS}/db-000`);
    expect(await ui.page.locator(`tr[data-pod="${NS}/web-149"]`).count()).toBe(0);
    await ui.page.locator('.scroller').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => ui.page.locator(`tr[data-pod="${NS}/web-149"]`).count()).toBe(1);
    expect(await ui.page.locator(`tr[data-pod="${NS}/db-000"]`).count()).toBe(0);
    expect(await rowsInDom()).toBeLessThan(80);
    await ui.page.locator('.scroller').evaluate((el) => (el.scrollTop = 0));
    // The hollow nodes start the pods: statuses and IPs arrive as watch events.
    await expect.poll(() => ui.page.locator(`tr[data-pod="${NS}/db-000"] td`).nth(2).textContent(), { timeout: 30_000 }).toBe('Running');
    const cells = await ui.page.locator(`tr[data-pod="${NS}/db-000"] td`).allTextContents();
    expect(cells.slice(0, 5)).toEqual(['db-000', '1/1', 'Running', '0', 'sim-1']);
    expect(cells[5]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await ui.screenshot('pods');
  }, 60_000);

  it('filters by label selector and by text, with the counts', async () => {
    const selector = ui.page.getByLabel('Label selector');
    await selector.fill('app=web');
    await expect.poll(count).toBe('150 of 300');
    await selector.fill('tier in (fe,data),!legacy');
    await expect.poll(count).toBe('294 of 300');
    await selector.fill('app in (web');
    await expect.poll(() => ui.page.getByRole('alert').filter({ hasText: 'Label selector' }).count()).toBe(1);
    await selector.fill('app=db');
    const search = ui.page.locator('[data-search]');
    await search.fill('db-01');
    await expect.poll(count).toBe('10 of 300');
    expect(await rowsInDom()).toBe(10);
    await search.fill('sim-2');
    await expect.poll(count).toBe('50 of 300');
    await search.fill('no-such-pod');
    await expect.poll(() => ui.page.getByText('No pods match the filter.').count()).toBe(1);
    await selector.fill('');
    await search.fill('');
    await expect.poll(count).toBe('300');
  }, 30_000);

  it("opens a pod's details and shows its events live, newest first", async () => {
    const target = await ui.client.get<Pod>(gvr.pods, NS, 'web-007');
    // Below the scroll window: found through the search box.
    await ui.page.locator('[data-search]').fill('web-007');
    await expect.poll(count).toBe('1 of 300');
    await ui.page.locator(`tr[data-pod="${NS}/web-007"] td`).first().click();
    const drawer = ui.page.locator(`[data-pod-details="${NS}/web-007"]`);
    await expect.poll(() => drawer.count()).toBe(1);
    await expect.poll(() => drawer.locator('dd').nth(1).textContent()).toBe('sim-2');
    expect(await drawer.getByText('app=web').count()).toBe(1);
    expect(await drawer.locator('[data-container=web]').textContent()).toContain('nginx:1.27');
    expect(await drawer.getByText('No events.').count()).toBe(1);

    const event = (reason: string, message: string, at: string, uid = target.metadata!.uid) => ({
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `web-007.${reason.toLowerCase()}`, namespace: NS },
      involvedObject: { kind: 'Pod', namespace: NS, name: 'web-007', uid },
      reason, message, type: reason === 'BackOff' ? 'Warning' : 'Normal', firstTimestamp: at, lastTimestamp: at, count: 1,
      source: { component: 'e2e' },
    });
    const now = Date.now();
    await ui.client.create(gvr.events, event('Pulled', 'Container image "nginx:1.27" already present', new Date(now - 60_000).toISOString()));
    await ui.client.create(gvr.events, event('BackOff', 'Back-off restarting failed container', new Date(now - 5_000).toISOString()));
    // An event of an earlier pod with the same name is not this pod's.
    await ui.client.create(gvr.events, { ...event('Killing', 'Stopping container', new Date(now).toISOString(), 'some-older-uid') });
    await expect.poll(() => drawer.locator('tr[data-event]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event'))), { timeout: 10_000 }).toEqual(['BackOff', 'Pulled']);
    await drawer.locator('.events-section').scrollIntoViewIfNeeded();
    await ui.screenshot('pod-details');

    await ui.page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
  }, 30_000);
});
