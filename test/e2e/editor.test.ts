// The manifest editor in a real browser against a real control plane with two simulated nodes:
// a Deployment made from a template runs pods that show up in the Pods view; the visual form and
// the YAML follow each other with comments kept; a 422 marks the line of the bad field; the
// cluster's schema completes fields and documents them on hover.
import type { Deployment } from 'kubernetes-types/apps/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_BROWSER, startUi, type UiHarness } from './harness/ui.ts';

const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' };

const typed = `# the shop's front end
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: default
spec:
  replicas: 2 # how many
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: shop
          image: nginx:1.27 # pinned
`;

describe.skipIf(NO_BROWSER)('manifest editor', () => {
  let ui: UiHarness;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ui = await startUi({ simulateNodes: 2 });
    // A page error (a worker that fails to start) fails the test at the end.
    ui.page.on('pageerror', (e) => pageErrors.push(e.message));
    await ui.open('#/editor');
    await ui.page.locator('[data-testid=manifest-editor] .monaco-editor').waitFor({ timeout: 30_000 });
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    expect(pageErrors).toEqual([]);
  });

  const code = () => ui.page.locator('[data-testid=manifest-editor]');
  /** The editor's visible lines as text (Monaco renders spaces as no-break spaces). */
  const editorText = async () => (await code().locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
  /** Replaces the whole text. */
  async function setText(text: string): Promise<void> {
    await ui.page.evaluate(() => {
      if (!location.hash.startsWith('#/editor')) location.hash = '#/editor';
    });
    await code().locator('.monaco-editor').waitFor();
    await code().locator('.view-lines').click();
    await ui.page.keyboard.press('Control+A');
    await ui.page.keyboard.press('Delete');
    // Pasted, as people bring YAML in (typing it would auto-indent every line).
    await ui.page.evaluate((t) => {
      const data = new DataTransfer();
      data.setData('text/plain', t);
      document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);
    await expect.poll(editorText).toContain(text.trim().split('\n').at(-1)!.trim());
  }
  const line = (text: string) => code().locator('.view-line', { hasText: text });
  const form = () => ui.page.getByRole('form', { name: 'Visual form' });

  it('creates a Deployment from a template, after a dry-run diff, and its pods show up live', async () => {
    const { page } = ui;
    await page.getByText('New', { exact: true }).click();
    await page.getByRole('menuitem', { name: 'Deployment' }).click();
    await expect.poll(editorText).toContain('kind: Deployment');
    await ui.screenshot('editor');
    await page.getByRole('button', { name: 'Review & apply' }).click();
    const diff = page.locator('[data-testid=manifest-diff] .monaco-diff-editor');
    await diff.waitFor({ timeout: 20_000 });
    // The dry run's defaults are in the new side: the server's object, not just the text.
    await expect.poll(async () => (await diff.innerText()).replace(/\u00a0/g, ' '), { timeout: 10_000 }).toContain('imagePullPolicy: IfNotPresent');
    await expect(page.getByRole('button', { name: /Deployment web\s+new/ }).count()).resolves.toBe(1);
    await ui.screenshot('editor-diff');
    // A dry run writes nothing.
    await expect(ui.client.get(DEPLOYMENTS, 'default', 'web')).rejects.toThrow(/not found/);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Applied Deployment web' }).waitFor({ timeout: 20_000 });
    const live = await ui.client.get<Deployment>(DEPLOYMENTS, 'default', 'web');
    expect(live.metadata?.managedFields?.map((f) => f.manager)).toContain('kubelab');
    await page.evaluate(() => (location.hash = '#/pods'));
    await expect.poll(() => page.locator('tr[data-pod^="default/web-"]').count(), { timeout: 30_000 }).toBe(2);
  }, 120_000);

  it('opens a live object from its route, without managedFields or status', async () => {
    await ui.page.evaluate(() => (location.hash = '#/editor?kind=deployments&namespace=default&name=web'));
    await code().locator('.monaco-editor').waitFor();
    await ui.page.getByRole('heading', { name: /Deployment web/ }).waitFor();
    const text = await editorText();
    expect(text).toContain('name: web');
    expect(text).not.toMatch(/managedFields|status:|resourceVersion/);
  }, 60_000);

  it('warns that the live object changed since it was opened, and forces a conflicting apply only when asked', async () => {
    const { page } = ui;
    // Someone else takes spec.replicas over with their own field manager.
    await ui.client.patch(DEPLOYMENTS, 'default', 'web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 4 } }, 'apply', { fieldManager: 'someone', force: true });
    await page.getByRole('button', { name: 'Review & apply' }).click();
    await page.getByRole('alert').filter({ hasText: /Deployment web changed since you opened it/ }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /conflict/i }).waitFor({ timeout: 20_000 });
    expect((await ui.client.get<Deployment>(DEPLOYMENTS, 'default', 'web')).spec?.replicas).toBe(4);
    await page.getByRole('button', { name: /Force apply/ }).click();
    await expect.poll(async () => (await ui.client.get<Deployment>(DEPLOYMENTS, 'default', 'web')).spec?.replicas, { timeout: 20_000 }).toBe(2);
    await page.getByRole('button', { name: 'Review & apply' }).waitFor();
  }, 60_000);

  it('keeps the form and the YAML in step both ways, comments kept', async () => {
    const { page } = ui;
    await setText(typed);
    const replicas = form().getByLabel('Replicas');
    await expect.poll(() => replicas.inputValue()).toBe('2');
    // Form → YAML: the number changes on its line, the comment stays.
    await replicas.fill('3');
    await expect.poll(editorText).toContain('replicas: 3 # how many');
    expect(await editorText()).toContain("# the shop's front end");
    await form().getByLabel('Image of shop').fill('nginx:1.28');
    await expect.poll(editorText).toContain('image: nginx:1.28 # pinned');
    // YAML → form: typed in the editor, read back by the form.
    await line('image: nginx:1.28').click();
    await page.keyboard.press('End');
    for (let i = 0; i < ' # pinned'.length; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('9');
    await expect.poll(() => form().getByLabel('Image of shop').inputValue()).toBe('nginx:1.29');
    expect(await editorText()).toContain('image: nginx:1.29 # pinned');
    await ui.screenshot('editor-form');
  }, 60_000);

  it("marks a 422's bad field on its line, with the server's message", async () => {
    const { page } = ui;
    await setText(typed.replace('replicas: 2', 'replicas: -1'));
    await page.getByRole('button', { name: 'Review & apply' }).click();
    await page.getByRole('alert').filter({ hasText: /Deployment.apps "shop" is invalid/ }).waitFor({ timeout: 20_000 });
    // The marker's squiggle is drawn in the overlay row at the same height as the bad line.
    const badTop = await line('replicas: -1').evaluate((el) => (el as HTMLElement).style.top);
    await expect.poll(() => code().locator('.view-overlays > div').evaluateAll((rows) =>
      rows.filter((r) => r.querySelector('.squiggly-error')).map((r) => (r as HTMLElement).style.top)), { timeout: 10_000 }).toContain(badTop);
    await line('replicas: -1').locator('span', { hasText: 'replicas' }).first().hover();
    await expect.poll(() => page.locator('.monaco-hover:not(.hidden)').first().innerText(), { timeout: 10_000 }).toMatch(/spec\.replicas: .*greater than or equal to 0/);
    await ui.screenshot('editor-422');
  }, 60_000);

  it("completes a field from the cluster's schema and shows its description on hover", async () => {
    const { page } = ui;
    await setText(typed.replace('  replicas: 2 # how many\n', '  replicas: 2 # how many\n  revisionHis\n'));
    await line('revisionHis').click();
    await page.keyboard.press('End');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.suggest-widget');
    await expect.poll(() => suggest.innerText(), { timeout: 15_000 }).toContain('revisionHistoryLimit');
    await page.keyboard.press('Escape');
    await line('replicas: 2').locator('span', { hasText: 'replicas' }).first().hover();
    await expect.poll(() => page.locator('.monaco-hover:not(.hidden)').first().innerText(), { timeout: 15_000 }).toMatch(/desired pods/);
  }, 60_000);
});
