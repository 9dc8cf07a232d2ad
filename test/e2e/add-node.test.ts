// The add-node wizard against a real machine: a test host (its own network namespace and sshd)
// joins the control plane, which is served on the lab bridge's address so the host reaches it.
// The form is filled as a person would, the host key's fingerprint is the host's own; with runc
// hidden, preflight fails and the wizard asks before installing it; then the steps run to Ready
// and the node shows up; a host whose key changed since is refused with both
// fingerprints shown. The joined node then runs a pod that the Port forwards view reaches through
// its service. The node, the hosts and the routes are removed afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { imageLoad } from '../../src-main/provision/cli/image-commands.ts';
import { removeNamedNode } from '../../src-main/provision/cli/node-commands.ts';
import { NodeRegistry } from '../../src-main/provision/cli/node-registry.ts';
import { ensureBlackholeRoutes, removeBlackholeRoutes } from '../../src-main/provision/lab/blackhole-routes.ts';
import { createTestHosts, isClean, removeTestHosts, type TestLab } from '../../src-main/provision/lab/test-hosts.ts';
import { hostKeyOf } from '../../src-main/provision/ssh/host-key.ts';
import { KnownHosts } from '../../src-main/provision/ssh/known-hosts.ts';
import { buildBusyboxImage } from '../fixtures/images/busybox-image.ts';
import { dockerSave } from '../fixtures/images/image-archives.ts';
import { waitFor } from '../integration/harness/cluster.ts';
import { NO_BROWSER, startUi, type UiHarness } from './harness/ui.ts';

const LAB = 'uiadd';
const NOT_ROOT = process.getuid?.() !== 0;
const dir = mkdtempSync(join(tmpdir(), 'kubelab-e2e-add-node-'));
let routes: string[] = [];
let lab: TestLab | undefined;
let ui: UiHarness | undefined;

function fetchText(address: string): Promise<string> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    get({ host, port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    }).on('error', reject);
  });
}

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

  it('asks to trust the host key, then, without runc, shows the failed check and asks before installing it', async () => {
    const { page } = ui!;
    const host = lab!.hosts[0]!;
    // Hide runc on the host, in its own mount namespace only (sshd's, which logins inherit).
    const inHost = (...args: string[]) => execFileSync('nsenter', ['-t', String(host.pid), '-m', '--', ...args]);
    inHost('mount', '--bind', '/dev/null', '/usr/sbin/runc');
    try {
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

      const consent = page.getByRole('dialog', { name: 'Install packages' });
      await consent.waitFor({ timeout: 60_000 });
      expect(await consent.textContent()).toContain('package manager (apt)');
      expect(await consent.getByTestId('packages').textContent()).toBe('runc');
      await ui!.screenshot('add-node-packages');
      const runtime = page.locator('li[data-check=runtime]');
      expect(await runtime.getAttribute('class')).toContain('fail');
      expect(await runtime.textContent()).toContain('runc not found on the PATH→ install runc');
      // With consent the node's apt-get is asked (runc is installed, only hidden, so it stays
      // missing) and the checks run again.
      await consent.getByRole('button', { name: 'Install runc' }).click();
      await page.locator('h3.error', { hasText: `root@${host.address}: preflight failed (runtime)` }).waitFor({ timeout: 120_000 });
      expect(await page.locator('li[data-step=packages]').getAttribute('class')).toContain('done');
      expect(await page.locator('li[data-step=packages] .name').textContent()).toBe('packages: runc');
      expect(await page.locator('p.left').textContent()).toBe('On the machine: nothing was changed');
      expect(KnownHosts.inDataDir(ui!.dataDir).lookup(host.address, 22)?.fingerprint).toBe(host.hostKeyFingerprint);
    } finally {
      inHost('umount', '/usr/sbin/runc');
    }
  }, 240_000);

  it('joins the host (its key pinned now): every step done, the checks passed, the node Ready', async () => {
    const { page } = ui!;
    const host = lab!.hosts[0]!;
    await ui!.open('#/add-node');
    await page.locator('input[name=host]').fill(host.address);
    await page.locator('input[name=key]').fill(lab!.keyPath);
    await page.getByRole('button', { name: 'Connect and add' }).click();

    await page.locator('[role=status]', { hasText: `${host.hostname} joined the cluster` }).waitFor({ timeout: 180_000 });
    await page.locator('.node-state', { hasText: /^Ready$/ }).waitFor({ timeout: 30_000 });
    for (const step of ['connect', 'facts', 'validate', 'stage', 'install', 'ready', 'cleanup']) {
      expect(await page.locator(`li[data-step=${step}]`).getAttribute('class'), step).toContain('done');
      expect(await page.locator(`li[data-step=${step}] .took`).textContent(), step).toMatch(/^\d+\.\d s$/);
    }
    expect(await page.locator('li[data-check=runtime]').getAttribute('class')).toContain('pass');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await ui!.screenshot('add-node-progress');

    // What the CLI's join leaves: the node Ready, the registry without a secret.
    expect(ready(await ui!.client.get<Node>(gvr.nodes, undefined, host.hostname))).toBe(true);
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

  it('stops at a failed preflight with each check and its fix, and says the machine was left as it was', async () => {
    const { page } = ui!;
    const host = lab!.hosts[0]!;
    await ui!.open('#/add-node');
    await page.locator('input[name=host]').fill(host.address);
    await page.locator('input[name=key]').fill(lab!.keyPath);
    // The machine is joined already under its hostname: another name for it is a cloned machine-id.
    await page.locator('input[name=nodeName]').fill('another-name');
    await page.getByRole('button', { name: 'Connect and add' }).click();
    const error = page.locator('h3.error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(new RegExp(`^root@${host.address.replace(/\./g, '\\.')}: preflight failed \\((.+, )?machine-id(, .+)?\\)$`));
    expect(await page.locator('p.left').textContent()).toBe('On the machine: nothing was changed');
    const check = page.locator('li[data-check=machine-id]');
    expect(await check.getAttribute('class')).toContain('fail');
    expect(await check.textContent()).toContain(`same as node ${host.hostname}'s (a cloned disk image?)→ make a new one: sudo rm /etc/machine-id`);
    expect(await page.locator('li[data-step=validate]').getAttribute('class')).toContain('failed');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(new NodeRegistry(ui!.dataDir).get('another-name')).toBeUndefined();
  }, 120_000);

  it('forwards to the joined node\'s pod through its service, from the Port forwards view', async () => {
    const { page, client } = ui!;
    const node = lab!.hosts[0]!.hostname;
    const archive = join(dir, 'busybox.tar');
    writeFileSync(archive, dockerSave(buildBusyboxImage(), 'lab/busybox:1'));
    await imageLoad(ui!.dataDir, archive, [node]);
    await client.create(gvr.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        nodeName: node, terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: 'lab/busybox:1', imagePullPolicy: 'Never', ports: [{ name: 'http', containerPort: 8080 }],
          command: ['sh', '-c', 'mkdir -p /www && echo hello from the node > /www/index.html && exec httpd -f -p 8080 -h /www'] }],
      },
    });
    // The service's port 80 goes to the pod's port named http: the forward must find 8080.
    await client.create(gvr.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } });
    try {
      await waitFor('web Ready', async () => (await client.get<Pod>(gvr.pods, 'default', 'web')).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), 90_000, 250);
      await ui!.open('#/port-forwards?namespace=default&service=web&port=80');
      await page.locator('input[name=target]').waitFor();
      expect(await page.locator('input[name=target]').inputValue()).toBe('web');
      expect(await page.locator('select[name=kind]').inputValue()).toBe('service');
      await page.getByRole('button', { name: 'Start' }).click();
      const row = page.getByRole('table', { name: 'Port forwards' }).locator('tbody tr');
      await row.first().waitFor({ timeout: 20_000 });
      expect(await row.count()).toBe(1);
      expect(await row.textContent()).toContain('svc/web:80 → web:8080 in default');
      const local = (await row.locator('a.local').textContent())!;
      expect(local).toMatch(/^127\.0\.0\.1:\d+$/);
      await waitFor('httpd answers', async () => (await fetchText(local).catch(() => '')).startsWith('200'), 20_000, 200);
      expect(await fetchText(local)).toBe('200 hello from the node\n');
      await page.mouse.move(0, 0);
      await ui!.screenshot('port-forwards');
      await row.getByRole('button', { name: 'Stop' }).click();
      await page.getByText('No port forwards.').waitFor({ timeout: 10_000 });
      await expect(fetchText(local)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await client.delete(gvr.services, 'default', 'web').catch(() => undefined);
      await client.delete(gvr.pods, 'default', 'web', { gracePeriodSeconds: 0 }).catch(() => undefined);
      await waitFor('web gone', async () => (await client.list<Pod>(gvr.pods, { namespace: 'default' })).items.length === 0, 60_000, 250);
    }
  }, 240_000);
});
