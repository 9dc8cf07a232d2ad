// Logs and the command palette in a real browser, against real containers on an agent: a pod's
// lines arrive live and a search highlights and jumps to a line; a selector's two pods merge
// with a colour each; Ctrl+K finds a pod by part of its name and opens it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import type { TestNode } from '../integration/harness/agent-node.ts';
import { waitFor } from '../integration/harness/cluster.ts';
import { NO_BROWSER, type UiHarness } from './harness/ui.ts';
import { startUiWithNode } from './harness/ui-with-node.ts';

describe.skipIf(NO_BROWSER)('logs and the command palette in the browser', () => {
  let ui: UiHarness;
  let node: TestNode;

  const talker = (name: string, script: string, labels?: Record<string, string>): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: node.image, command: ['sh', '-c', script] }] },
  });

  beforeAll(async () => {
    ({ ui, node } = await startUiWithNode('kle'));
    const client = node.cluster.client;
    await client.create(gvr.pods, talker('talker', 'i=0; while true; do i=$((i+1)); if [ $((i % 7)) -eq 0 ]; then echo "ERROR request $i failed: upstream timed out"; else echo "GET /api/items/$i 200 in $((i % 40))ms"; fi; sleep 0.15; done'));
    await client.create(gvr.pods, talker('flood', 'seq 1 30000; sleep 3600'));
    await client.create(gvr.pods, talker('wide', 's=x; i=0; while [ $i -lt 10 ]; do s=$s$s; i=$((i+1)); done; echo "start $s end"; echo after; sleep 3600'));
    for (const n of ['web-a', 'web-b']) await client.create(gvr.pods, talker(n, `i=0; while true; do i=$((i+1)); echo "${n} served request $i"; sleep 0.25; done`, { app: 'web' }));
    await waitFor('the pods running', async () => {
      const pods = (await client.list<Pod>(gvr.pods, { namespace: 'default' })).items;
      return pods.length === 5 && pods.every((p) => p.status?.containerStatuses?.[0]?.state?.running);
    }, 90_000);
    await ui.open('#/overview');
  }, 240_000);

  afterAll(async () => {
    await ui?.close();
    if (!node) return;
    await node.cluster.client.deleteCollection(gvr.pods, { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined);
    const left = await node.stop();
    expect(left.containers).toEqual([]);
  });

  it("shows a pod's lines as they are written, and a search highlights and jumps to a line", async () => {
    const page = ui.page;
    await page.evaluate(() => (location.hash = '#/logs?namespace=default&pod=talker'));
    const lines = page.locator('[role=log] .line');
    await lines.filter({ hasText: 'GET /api/items/' }).first().waitFor({ timeout: 20_000 });
    const lastLine = () => lines.last().textContent();
    const first = await lastLine();
    await expect.poll(lastLine, { timeout: 10_000 }).not.toBe(first);
    expect(await page.locator('select[aria-label=Container]').inputValue()).toBe('main');

    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search the log');
    await page.keyboard.type('error request');
    await expect.poll(() => page.locator('[role=log] mark').count()).toBeGreaterThan(0);
    expect((await page.locator('[role=log] mark').first().textContent())?.toLowerCase()).toBe('error request');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[role=log] .line.current').textContent()).toMatch(/^ERROR request \d+ failed: upstream timed out$/);
    // Jumping to a match stops following; the button to follow again shows.
    await page.getByRole('button', { name: '↓ Follow new lines' }).waitFor();
    await ui.screenshot('logs');

    await page.getByLabel('Only matching').check();
    await expect.poll(async () => (await lines.allTextContents()).every((t) => t.startsWith('ERROR request'))).toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('talker-main.log');
    const saved = await download.createReadStream().then((s) => new Response(s as unknown as ReadableStream).text());
    expect(saved).toMatch(/^GET \/api\/items\/1 200 in 1ms\n/);
    expect(saved).toContain('ERROR request 7 failed: upstream timed out\n');
  }, 60_000);

  it('keeps the last 20,000 lines of a flood, says so, and draws only the lines in sight', async () => {
    const page = ui.page;
    await page.evaluate(() => (location.hash = '#/logs?namespace=default&pod=flood'));
    await page.getByLabel('Lines back').selectOption({ label: 'All lines' });
    await page.getByText('10,000 older lines dropped').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('[role=log] .line').last().textContent()).toBe('30000');
    expect(await page.getByText('20,000 lines', { exact: true }).count()).toBe(1);
    expect(await page.locator('[role=log] .line').count()).toBeLessThan(200);
  }, 60_000);

  it('wraps long lines on demand, with the room they take known before they are drawn', async () => {
    const page = ui.page;
    await page.evaluate(() => (location.hash = '#/logs?namespace=default&pod=wide'));
    const lines = page.locator('[role=log] .line');
    await lines.filter({ hasText: 'after' }).waitFor({ timeout: 20_000 });
    const heights = () => lines.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    expect(await heights()).toEqual([18, 18]);
    expect(await page.locator('[role=log]').evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
    await page.getByLabel('Wrap').check();
    await expect.poll(async () => (await heights())[0]).toBeGreaterThan(18 * 5);
    // The virtual list's height (its model of the wrapped rows) is what the browser laid out.
    const [space, drawn] = await page.locator('[role=log] .space').evaluate((e) => [e.getBoundingClientRect().height, Array.from(e.querySelectorAll('.line')).reduce((n, l) => n + l.getBoundingClientRect().height, 0)]);
    expect(space).toBe(drawn + 16);
    expect(await page.locator('[role=log]').evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(false);
  }, 60_000);

  it("merges a selector's two pods live, one colour each", async () => {
    const page = ui.page;
    await page.evaluate(() => (location.hash = '#/logs?namespace=default&selector=app%3Dweb'));
    const prefix = (pod: string) => page.locator('[role=log] .line .pod', { hasText: `${pod}/main` }).first();
    await prefix('web-a').waitFor({ timeout: 20_000 });
    await prefix('web-b').waitFor({ timeout: 20_000 });
    const colour = (pod: string) => prefix(pod).evaluate((el) => getComputedStyle(el).color);
    expect(await colour('web-a')).not.toBe(await colour('web-b'));
    expect(await page.locator('ul[aria-label=Pods] li').allTextContents()).toEqual(expect.arrayContaining(['web-a', 'web-b']));
    // Lines keep arriving from both.
    const count = async (pod: string) => page.locator('[role=log] .line', { hasText: `${pod} served request` }).count();
    const before = await count('web-b');
    await expect.poll(() => count('web-b'), { timeout: 10_000 }).toBeGreaterThan(before);
    await ui.screenshot('workload-logs');

    // A pod switched off in the legend leaves the view; on again, it is back.
    const shownPods = async () => new Set((await page.locator('[role=log] .line .pod').allTextContents()).map((t) => t.trim()));
    await page.getByRole('button', { name: 'web-a', exact: true }).click();
    await expect.poll(shownPods).toEqual(new Set(['web-b/main']));
    await page.getByRole('button', { name: 'web-a', exact: true }).click();
    await expect.poll(shownPods).toEqual(new Set(['web-a/main', 'web-b/main']));
  }, 60_000);

  it('offers pods, workloads and a selector when opened without a target', async () => {
    const page = ui.page;
    await page.evaluate(() => (location.hash = '#/logs'));
    await page.getByLabel('Pod', { exact: true }).selectOption('default/talker');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/logs?namespace=default&pod=talker');
    await page.evaluate(() => (location.hash = '#/logs'));
    await page.getByPlaceholder('app=web').fill('app=web');
    await page.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/logs?namespace=default&selector=app%3Dweb');
    await page.locator('ul[aria-label=Pods] li').first().waitFor();
  }, 30_000);

  it('finds a pod by part of its name with Ctrl+K and opens it', async () => {
    const page = ui.page;
    await page.evaluate(() => (location.hash = '#/overview'));
    await page.locator('main h2').first().waitFor();
    await page.keyboard.press('Control+k');
    const input = page.getByRole('combobox', { name: 'Search views, objects and actions' });
    await input.waitFor();
    await page.keyboard.type('alke');
    await expect.poll(() => page.locator('[role=option][aria-selected=true] .title').textContent()).toBe('talker');
    await ui.screenshot('palette');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/pods?namespace=default&name=talker');
    expect(await input.count()).toBe(0);
  }, 30_000);
});
