// The Overview, Nodes and Workloads views in a real browser against a control plane with three
// hollow nodes: what the buttons do lands in the API as kubectl would write it, and the tables
// follow the cluster live.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { NO_BROWSER, startUi, type UiHarness } from './harness/ui.ts';

const NS = 'default';

function deployment(name: string, image: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } },
    },
  };
}

describe.skipIf(NO_BROWSER)('overview, nodes and workloads views', () => {
  let ui: UiHarness;
  const poll = <T>(f: () => Promise<T>) => expect.poll(f, { timeout: 20_000, interval: 200 });
  const row = (key: string) => ui.page.locator(`tr[data-key="${key}"]`);
  const drawer = () => ui.page.getByRole('complementary');
  const podsOf = async (app: string) => (await ui.client.list<Pod>(gvr.pods, { namespace: NS, labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);

  beforeAll(async () => {
    ui = await startUi({ simulateNodes: 3 });
    await ui.client.create(gvr.deployments, deployment('web', 'nginx:1.25'));
    await ui.open('#/overview');
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('overview: nodes ready, pods by phase and usage charts from the metrics API', async () => {
    await expect.poll(() => ui.page.getByTestId('nodes-ready').textContent(), { timeout: 20_000 }).toMatch(/^3\s*\/\s*3$/);
    await poll(() => ui.page.locator('li[data-phase=Running] strong').textContent()).toBe('1');
    // Hollow nodes report usage: the charts draw, no "not available".
    await ui.page.getByRole('img', { name: 'CPU used over the last hour' }).waitFor({ timeout: 20_000 });
    expect(await ui.page.getByTestId('no-metrics').count()).toBe(0);
    await ui.screenshot('overview');
  }, 60_000);

  it('workloads: scaling a Deployment sets the API replicas and the pods follow', async () => {
    await ui.open('#/workloads');
    await row(`${NS}/web`).waitFor();
    await row(`${NS}/web`).getByRole('button', { name: 'Scale' }).click();
    await ui.page.getByLabel('Replicas').fill('3');
    await ui.page.getByRole('dialog').getByRole('button', { name: 'Scale' }).click();
    await poll(async () => (await ui.client.get<Deployment>(gvr.deployments, NS, 'web')).spec?.replicas).toBe(3);
    await poll(async () => (await podsOf('web')).filter((p) => p.status?.phase === 'Running').length).toBe(3);
    await poll(() => row(`${NS}/web`).locator('td').nth(2).textContent()).toBe('3/3');
    await ui.screenshot('workloads');
    // The details drawer lists the pods.
    await row(`${NS}/web`).locator('td').nth(1).click();
    await poll(() => drawer().locator('tr[data-pod]').count()).toBe(3);
    await ui.screenshot('workload-details');
    await drawer().getByRole('button', { name: 'Close' }).click();
  }, 60_000);

  it('restart stamps kubectl.kubernetes.io/restartedAt on the pod template', async () => {
    await row(`${NS}/web`).getByRole('button', { name: 'Restart' }).click();
    await poll(async () => (await ui.client.get<Deployment>(gvr.deployments, NS, 'web')).spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'])
      .toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }, 30_000);

  it('rollout history lists the revisions and undo brings the old image back', async () => {
    await ui.client.patch(gvr.deployments, NS, 'web', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } }, 'strategic');
    await poll(async () => (await ui.client.list<ReplicaSet>(gvr.replicaSets, { namespace: NS })).items.filter((rs) => rs.metadata?.name?.startsWith('web-')).length).toBe(3);
    await row(`${NS}/web`).locator('td').nth(1).click();
    await drawer().getByRole('button', { name: 'History' }).click();
    const dialog = ui.page.getByRole('dialog', { name: /Rollout history/ });
    await poll(() => dialog.locator('tr[data-revision]').count()).toBe(3);
    expect(await dialog.locator('tr[data-revision="3"]').textContent()).toContain('nginx:1.27');
    await dialog.locator('tr[data-revision="1"]').getByRole('button', { name: 'Roll back to 1' }).click();
    await poll(async () => (await ui.client.get<Deployment>(gvr.deployments, NS, 'web')).spec?.template?.spec?.containers[0]?.image).toBe('nginx:1.25');
    // Revision 1 is current again (renumbered to 4, as the deployment controller does).
    await poll(() => dialog.locator('tr[data-revision="4"]').textContent()).toContain('current');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await drawer().getByRole('button', { name: 'Close' }).click();
    await poll(async () => (await podsOf('web')).filter((p) => p.spec?.containers[0]?.image === 'nginx:1.25' && p.status?.phase === 'Running').length).toBe(3);
  }, 60_000);

  it('a CronJob is triggered by hand, suspended and deleted from its tab', async () => {
    const cron: CronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'report', namespace: NS },
      spec: { schedule: '0 3 * * *', jobTemplate: { metadata: { labels: { job: 'report' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'report', image: 'busybox:1.36' }] } } } } },
    };
    await ui.client.create(gvr.cronJobs, cron);
    await ui.open('#/workloads?kind=cronjobs');
    await row(`${NS}/report`).getByRole('button', { name: 'Trigger' }).click();
    const cronUid = (await ui.client.get<CronJob>(gvr.cronJobs, NS, 'report')).metadata?.uid;
    await poll(async () => (await ui.client.list<Job>(gvr.jobs, { namespace: NS })).items
      .filter((j) => j.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'] === 'manual' && j.metadata.ownerReferences?.[0]?.uid === cronUid && j.metadata.labels?.job === 'report').length).toBe(1);
    await row(`${NS}/report`).locator('td').nth(1).click();
    await drawer().getByRole('button', { name: 'Suspend' }).click();
    await poll(async () => (await ui.client.get<CronJob>(gvr.cronJobs, NS, 'report')).spec?.suspend).toBe(true);
    await poll(() => row(`${NS}/report`).locator('td').nth(3).textContent()).toBe('True');
    await poll(() => drawer().locator('li[data-job]').count()).toBe(1);
    // Delete asks first, then the CronJob (and, through the garbage collector, its Job) goes.
    await drawer().getByRole('button', { name: 'Delete' }).click();
    await ui.page.getByRole('dialog', { name: 'Delete CronJob default/report?' }).getByRole('button', { name: 'Delete' }).click();
    await poll(async () => (await ui.client.list<CronJob>(gvr.cronJobs, { namespace: NS })).items.length).toBe(0);
    await poll(() => row(`${NS}/report`).count()).toBe(0);
  }, 60_000);

  it('nodes: cordon shows SchedulingDisabled and sets spec.unschedulable; the drawer shows conditions', async () => {
    await ui.open('#/nodes');
    await row('sim-1').waitFor();
    await row('sim-1').getByRole('button', { name: 'Cordon' }).click();
    await poll(async () => (await ui.client.get<Node>(gvr.nodes, undefined, 'sim-1')).spec?.unschedulable).toBe(true);
    await poll(() => row('sim-1').locator('td').nth(1).textContent()).toContain('SchedulingDisabled');
    await ui.screenshot('nodes');
    await row('sim-1').locator('td').first().click();
    await drawer().locator('tr[data-condition=Ready]').waitFor();
    await ui.screenshot('node-details');
    await drawer().getByRole('button', { name: 'Close' }).click();
    await row('sim-1').getByRole('button', { name: 'Uncordon' }).click();
    await poll(async () => (await ui.client.get<Node>(gvr.nodes, undefined, 'sim-1')).spec?.unschedulable ?? false).toBe(false);
  }, 60_000);

  it('drain from the node drawer cordons it and moves its pods to the other nodes', async () => {
    const onNode = async (node: string) => (await podsOf('web')).filter((p) => p.spec?.nodeName === node).length;
    await poll(() => onNode('sim-2')).toBeGreaterThan(0);
    await row('sim-2').locator('td').first().click();
    await drawer().getByRole('button', { name: 'Drain' }).click();
    await ui.page.getByRole('dialog', { name: 'Drain sim-2?' }).getByRole('button', { name: 'Drain' }).click();
    await poll(async () => (await ui.client.get<Node>(gvr.nodes, undefined, 'sim-2')).spec?.unschedulable).toBe(true);
    await poll(() => onNode('sim-2')).toBe(0);
    await poll(async () => (await podsOf('web')).filter((p) => p.status?.phase === 'Running').length).toBe(3);
    await poll(() => drawer().locator('tbody tr a').count()).toBe(0);
  }, 60_000);
});
