// The resource views in a real browser against a real control plane with hollow nodes: a Service
// shows its live Endpoints, a Secret's value never reaches the page until revealed, an Event made
// through the API appears at the top while a scrolled reader keeps their place, namespaces are
// created and deleted from the UI, and RBAC reads ClusterRoles' rules.
import type { Endpoints } from 'kubernetes-types/core/v1';
import type { WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_BROWSER, startUi, type UiHarness } from './harness/ui.ts';

const core = (resource: string) => ({ group: '', version: 'v1', resource });
const rbac = (resource: string) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', resource });
const NS = 'e2e-rv';
const EVENTS_NS = 'e2e-events';
const SECRET_VALUE = 'hunter2-never-in-a-frame';

describe.skipIf(NO_BROWSER)('resource views in the browser', () => {
  let ui: UiHarness;
  const frames: string[] = [];

  beforeAll(async () => {
    ui = await startUi({ simulateNodes: 2 });
    // Every WebSocket frame the page receives, from the first one on.
    ui.page.on('websocket', (ws: PageSocket) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
    await ui.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await ui.client.create(core('secrets'), {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: NS }, type: 'Opaque',
      data: { password: Buffer.from(SECRET_VALUE).toString('base64'), blob: Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('base64') },
    });
    await ui.open('#/overview');
    await ui.page.selectOption('select[aria-label=Namespace]', NS);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('shows a Service with its ready endpoints and the pods its selector matches', async () => {
    for (const name of ['web-1', 'web-2']) {
      await ui.client.create(core('pods'), {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] },
      });
    }
    await ui.client.create(core('services'), {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
    });
    // The endpoints controller fills in both pods once the hollow nodes report them ready.
    const readyIps = async () => {
      const ep = await ui.client.get<Endpoints>(core('endpoints'), NS, 'web').catch(() => undefined);
      return (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
    };
    await expect.poll(readyIps, { timeout: 30_000 }).toHaveLength(2);
    const ips = await readyIps();

    await ui.page.evaluate(() => (location.hash = '#/services'));
    const row = ui.page.locator('table[aria-label=Services] tr[data-key="e2e-rv/web"]');
    await row.waitFor();
    const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
    expect(cells.slice(0, 2)).toEqual(['web', 'ClusterIP']);
    expect(cells[2]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(cells[4]).toBe('80:8080/TCP');
    expect(cells[5]).toBe('app=web');

    await row.click();
    const drawer = ui.page.locator('aside[aria-label="Service e2e-rv/web"]');
    for (const ip of ips) {
      const endpoint = drawer.locator(`table[aria-label="Endpoints of web"] tr`, { hasText: ip });
      await expect.poll(() => endpoint.textContent()).toMatch(/ready/);
      expect(await endpoint.textContent()).not.toContain('not ready');
    }
    expect((await drawer.locator('table[aria-label="Pods of web"] tbody tr').allTextContents()).map((t) => t.slice(0, 5)).sort()).toEqual(['web-1', 'web-2']);
    await ui.screenshot('services');

    await ui.page.getByRole('tab', { name: /Endpoints/ }).click();
    const epRow = ui.page.locator('table[aria-label=Endpoints] tr[data-key="e2e-rv/web"]');
    for (const ip of ips) expect(await epRow.textContent()).toContain(`${ip}:8080`);

    await ui.page.getByRole('tab', { name: /Services/ }).click();
    await drawer.getByRole('button', { name: 'Port-forward' }).click();
    expect(new URL(ui.page.url()).hash).toBe('#/port-forwards?namespace=e2e-rv&service=web&port=80');
  }, 90_000);

  it('keeps a Secret value out of every frame until Reveal, then shows it decoded', async () => {
    await ui.page.evaluate(() => (location.hash = '#/config?tab=secrets'));
    const row = ui.page.locator('table[aria-label=Secrets] tr[data-key="e2e-rv/db"]');
    await row.waitFor();
    expect((await row.locator('td').allTextContents()).map((c) => c.trim())).toEqual(['db', 'Opaque', '2', 'blob, password', expect.any(String)]);
    await row.click();
    const drawer = ui.page.locator('aside[aria-label="Secret e2e-rv/db"]');
    await drawer.getByRole('button', { name: 'Reveal password' }).waitFor();

    const base64 = Buffer.from(SECRET_VALUE).toString('base64');
    const leaked = () => frames.filter((f) => f.includes(SECRET_VALUE) || f.includes(base64));
    expect(frames.some((f) => f.includes('"db"'))).toBe(true);
    expect(leaked()).toEqual([]);

    await drawer.getByRole('button', { name: 'Reveal password' }).click();
    await expect.poll(() => drawer.locator('[data-key=password] pre').textContent()).toBe(SECRET_VALUE);
    await drawer.getByRole('button', { name: 'Reveal blob' }).click();
    await expect.poll(() => drawer.locator('[data-key=blob]').textContent()).toContain('binary, shown as base64');
    expect(await drawer.locator('[data-key=blob] pre').textContent()).toBe('//4AgQ==');
    await ui.screenshot('config');

    await drawer.getByRole('button', { name: 'Hide password' }).click();
    expect(await drawer.locator('[data-key=password] pre').count()).toBe(0);
    // Closed and opened again: nothing revealed is kept.
    await drawer.getByRole('button', { name: 'Close' }).click();
    await row.click();
    await drawer.getByRole('button', { name: 'Reveal blob' }).waitFor();
    expect(await drawer.locator('pre').count()).toBe(0);
    await drawer.getByRole('button', { name: 'Close' }).click();

    // A ConfigMap: short values shown, a long one collapsed, binaryData only sized.
    await ui.client.create(core('configmaps'), {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: NS },
      data: { mode: 'fast', 'app.yaml': Array.from({ length: 30 }, (_, i) => `line${i}: ${i}`).join('\n') },
      binaryData: { 'logo.png': Buffer.alloc(300, 7).toString('base64') },
    });
    await ui.page.getByRole('tab', { name: /ConfigMaps/ }).click();
    await ui.page.locator('table[aria-label=ConfigMaps] tr[data-key="e2e-rv/app"]').click();
    const cm = ui.page.locator('aside[aria-label="ConfigMap e2e-rv/app"]');
    expect(await cm.locator('[data-key=mode] pre').textContent()).toBe('fast');
    expect(await cm.locator('[data-key="app.yaml"] details').getAttribute('open')).toBeNull();
    expect(await cm.locator('[data-key="app.yaml"] summary').textContent()).toContain('30 lines');
    expect(await cm.locator('[data-key="logo.png"]').textContent()).toContain('binaryData, 300 B (not shown)');
    await cm.getByRole('button', { name: 'Close' }).click();
  }, 60_000);

  it('puts an Event created through the API at the top, without moving a scrolled reader', async () => {
    const event = (name: string, at: Date, type = 'Normal') => ({
      apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: EVENTS_NS },
      involvedObject: { kind: 'Service', namespace: EVENTS_NS, name: 'web' },
      reason: 'E2eCheck', message: `message of ${name}`, type, count: 1,
      firstTimestamp: at.toISOString(), lastTimestamp: at.toISOString(), source: { component: 'e2e-test' },
    });
    // A namespace of their own: the hollow nodes report events about the pods above.
    await ui.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: EVENTS_NS } });
    const base = Date.now() - 3600_000;
    for (let i = 0; i < 40; i++) await ui.client.create(core('events'), event(`old-${String(i).padStart(2, '0')}`, new Date(base + i * 1000)));

    await ui.page.evaluate(() => (location.hash = '#/events'));
    await expect.poll(() => ui.page.locator('select[aria-label=Namespace] option').allTextContents()).toContain(EVENTS_NS);
    await ui.page.selectOption('select[aria-label=Namespace]', EVENTS_NS);
    await ui.page.locator('table[aria-label=Events] tr[data-key="e2e-events/old-00"]').waitFor();
    const firstKey = () => ui.page.locator('table[aria-label=Events] tbody tr').first().getAttribute('data-key');
    await expect.poll(firstKey).toBe('e2e-events/old-39');

    // Scroll the page so that old-20 is at the top of the view, then let an event arrive.
    const main = ui.page.locator('main');
    await ui.page.locator('tr[data-key="e2e-events/old-20"]').evaluate((tr) => tr.scrollIntoView({ block: 'start' }));
    const topOf = () => ui.page.locator('tr[data-key="e2e-events/old-20"]').evaluate((tr) => Math.round(tr.getBoundingClientRect().top));
    const before = await topOf();
    expect(await main.evaluate((m) => m.scrollTop)).toBeGreaterThan(0);
    await ui.client.create(core('events'), event('fresh', new Date(), 'Warning'));
    await expect.poll(firstKey).toBe('e2e-events/fresh');
    expect(await topOf()).toBe(before);

    const fresh = ui.page.locator('tr[data-key="e2e-events/fresh"]');
    const cells = (await fresh.locator('td').allTextContents()).map((c) => c.trim());
    expect(cells.slice(0, 5)).toEqual(['Warning', 'E2eCheck', 'Service web', 'message of fresh', '1']);
    expect(await fresh.locator('a').getAttribute('href')).toBe('#/services?namespace=e2e-events&name=web');

    await main.evaluate((m) => m.scrollTo(0, 0));
    await ui.page.getByLabel('Warnings only').check();
    await expect.poll(() => ui.page.locator('table[aria-label=Events] tbody tr').count()).toBe(1);
    await ui.page.getByLabel('Warnings only').uncheck();
    await ui.page.locator('[data-search]').fill('old-07');
    await expect.poll(() => ui.page.locator('table[aria-label=Events] tbody tr').allTextContents()).toEqual([expect.stringContaining('message of old-07')]);
    await ui.page.locator('[data-search]').fill('');
    await ui.screenshot('events');
    await ui.page.selectOption('select[aria-label=Namespace]', NS);
  }, 90_000);

  it('creates and deletes a namespace from the UI, refusing a bad name first', async () => {
    await ui.page.evaluate(() => (location.hash = '#/namespaces'));
    const input = ui.page.getByLabel('New namespace name');
    await input.fill('Bad_Name');
    expect(await ui.page.locator('form[aria-label="Create namespace"] [role=alert]').textContent()).toContain('a lowercase RFC 1123 label must consist of');
    expect(await ui.page.getByRole('button', { name: 'Create' }).isDisabled()).toBe(true);

    await input.fill('e2e-made-here');
    await ui.page.getByRole('button', { name: 'Create' }).click();
    const row = ui.page.locator('table[aria-label=Namespaces] tr[data-key="e2e-made-here"]');
    await row.waitFor();
    expect((await ui.client.get(core('namespaces'), undefined, 'e2e-made-here')).metadata?.name).toBe('e2e-made-here');

    // The server's refusal is shown as it said it.
    await input.fill('e2e-made-here');
    await ui.page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => ui.page.locator('form[aria-label="Create namespace"] [role=alert]').textContent()).toContain('already exists');

    await ui.client.create(core('configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'e2e-made-here' }, data: { a: '1' } });
    await ui.client.create(core('configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'more', namespace: 'e2e-made-here' }, data: { b: '2' } });
    const nsRow = ui.page.locator('table[aria-label=Namespaces] tr[data-key="e2e-rv"]');
    expect(await nsRow.textContent()).toContain('running');

    // Ours and kube-root-ca.crt, which every namespace gets (the root CA publisher).
    await expect.poll(async () => {
      await row.getByRole('button', { name: 'Delete namespace e2e-made-here' }).click();
      const text = await ui.page.getByRole('dialog').textContent();
      if (!text?.includes('3 config maps')) await ui.page.getByRole('button', { name: 'Cancel' }).click();
      return text;
    }).toContain('3 config maps');
    await ui.screenshot('namespaces');
    await ui.page.getByRole('button', { name: 'Delete e2e-made-here' }).click();
    await expect.poll(async () => {
      const ns = await ui.client.get<{ metadata: { deletionTimestamp?: string } }>(core('namespaces'), undefined, 'e2e-made-here').catch((e: { status?: number }) => e.status);
      return ns === 404 || Boolean(typeof ns === 'object' && ns.metadata.deletionTimestamp);
    }, { timeout: 15_000 }).toBe(true);
    await expect.poll(async () => (await row.count()) === 0 || (await row.textContent())?.includes('Terminating')).toBe(true);
  }, 60_000);

  it('reads ClusterRoles\' rules, bindings and what a ServiceAccount can do', async () => {
    // cluster-admin and view are the default roles every cluster starts with; view's rules are
    // those the aggregation controller gathers from the roles labelled aggregate-to-view.
    type Role = { metadata?: object; rules?: { verbs: string[]; resources?: string[] }[] };
    await expect.poll(async () => ((await ui.client.get<Role>(rbac('clusterroles'), undefined, 'view')).rules ?? []).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const viewRules = (await ui.client.get<Role>(rbac('clusterroles'), undefined, 'view')).rules!;
    await ui.client.create(core('serviceaccounts'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: NS } });
    await ui.client.create(rbac('rolebindings'), {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader-views', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
    });

    await ui.page.evaluate(() => (location.hash = '#/rbac'));
    const admin = ui.page.locator('table[aria-label=ClusterRoles] tr[data-key="cluster-admin"]');
    await admin.click();
    const rules = ui.page.locator('table[aria-label="Rules of cluster-admin"] tbody tr');
    expect((await rules.allTextContents()).map((t) => t.trim())).toEqual(['all verbsall resourcesall groups', 'all verbsURLs *—']);
    await ui.page.getByRole('button', { name: 'Close' }).click();

    await ui.page.locator('table[aria-label=ClusterRoles] tr[data-key="view"]').click();
    expect(await ui.page.locator('aside').textContent()).toContain('rbac.authorization.k8s.io/aggregate-to-view=true');
    expect(await ui.page.locator('table[aria-label="Rules of view"] tbody tr').first().textContent()).toBe(`${viewRules[0].verbs.join(', ')}${viewRules[0].resources!.join(', ')}core`);
    await ui.screenshot('rbac');
    await ui.page.getByRole('button', { name: 'Close' }).click();

    await ui.page.getByRole('tab', { name: /ServiceAccounts/ }).click();
    await ui.page.locator('table[aria-label=ServiceAccounts] tr[data-key="e2e-rv/reader"]').click();
    const who = ui.page.locator('aside[aria-label="What ServiceAccount e2e-rv/reader can do"]');
    await who.waitFor();
    expect(await who.locator('[data-binding=reader-views] h4').textContent()).toContain('In e2e-rv · ClusterRole/view');
    expect(await who.locator('table[aria-label="Rules of view"] tbody tr').count()).toBe(viewRules.length);
  }, 60_000);
});
