// The 'ui' area: the Pods view with 20,000 pods on hollow nodes, in Debian's chromium against
// browser mode (the same control plane and renderer as the desktop app). It measures what the
// issue asks: app start to first screen, first render of the Pods view with every pod listed,
// the delay from an API status write to the row changing on screen under 200 writes/s, and the
// renderer's JS heap at the start and every minute of that churn.
import type { Pod } from 'kubernetes-types/core/v1';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CDPSession, Page } from 'playwright-core';
import { KubeClient } from '../../src-main/client/kube-client.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { startBrowserMode, type BrowserModeServer } from '../../src-main/start.ts';
import { launchChromium } from '../e2e/harness/ui.ts';
import { runClosedLoop } from './load.ts';
import { percentile } from './stats.ts';
import { Results } from './table.ts';

const PODS = 20_000;
const NAMESPACES = 20;
// Without controllers no node IPAM hands out podCIDRs, so hollow pod IPs come from one /16.
const NODES = 40;
const WRITES_PER_SECOND = 200;
const CREATE_CLIENTS = 48;
const MiB = 2 ** 20;

const nsName = (i: number) => `bench-${String(i).padStart(2, '0')}`;

function podOf(i: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: nsName(i % NAMESPACES), name: `pod-${String(i).padStart(5, '0')}`, labels: { app: `app-${i % 50}`, shard: String(i % 16) } },
    spec: {
      // Bound already: the scheduler is not what this bench measures.
      nodeName: `sim-${(i % NODES) + 1}`,
      // The fleet plays the kubelet from the first container's status; the second one's
      // restartCount is the bench's to change, so the two never fight over it.
      containers: [{ name: 'app', image: 'registry.example/bench/app:1.0' }, { name: 'sidecar', image: 'registry.example/bench/sidecar:1.0' }],
    },
  };
}

export async function benchUi(results: Results): Promise<void> {
  const minutes = Number(process.env.BENCH_UI_MINUTES ?? 10);
  if (!(minutes > 0)) throw new Error(`BENCH_UI_MINUTES must be a positive number, not "${process.env.BENCH_UI_MINUTES}"`);
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-bench-ui-'));
  const live: { server?: BrowserModeServer; client?: KubeClient; close?: () => Promise<void> } = {};
  const stopAll = async () => {
    await live.close?.();
    live.client?.close();
    await live.server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = () => void stopAll().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    // No controllers: they would watch and react to every status write too, and the bench
    // measures the UI; the renderer gets exactly what it gets with them.
    const server = await startBrowserMode({ dataDir, port: 0, address: '127.0.0.1', simulateNodes: NODES, controllers: false });
    live.server = server;
    const client = new KubeClient({ server: server.url, token: server.adminToken, ca: server.caPem });
    live.client = client;
    await fillCluster(client, results);

    const browser = await launchChromium();
    live.close = () => browser.close();
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);

    const t0 = performance.now();
    await page.goto(server.uiUrl);
    await page.locator('[role=status]', { hasText: 'Live' }).waitFor({ timeout: 120_000 });
    await page.locator('main > *').first().waitFor({ timeout: 60_000 });
    // The main side's cache starts with its first window: this includes listing every kind.
    results.add('app start (page load) to first screen, live, first window', performance.now() - t0, 'ms');
    const t0b = performance.now();
    await page.reload();
    await page.locator('[role=status]', { hasText: 'Live' }).waitFor({ timeout: 120_000 });
    await page.locator('main > *').first().waitFor({ timeout: 60_000 });
    results.add('app start (page load) to first screen, live, cache warm (reload)', performance.now() - t0b, 'ms');

    const t1 = performance.now();
    await page.evaluate(() => (location.hash = '#/pods'));
    await page.waitForFunction((total) => document.querySelector('[data-count]')?.textContent === total && document.querySelector('tr[data-pod]') !== null, new Intl.NumberFormat('en-US').format(PODS), { timeout: 60_000, polling: 'raf' });
    results.add(`Pods view first render, ${PODS} pods listed`, performance.now() - t1, 'ms', { kind: 'max', value: 1500 });

    const heapStart = await heapMiB(cdp);
    results.add('renderer JS heap, Pods view open (after GC)', heapStart, 'MiB', { kind: 'max', value: 300 });
    await churn(client, page, cdp, minutes, heapStart, results);
  } finally {
    process.off('SIGINT', onSignal);
    await stopAll();
  }
}

/** 20,000 bound pods, then until the hollow nodes report them all Running. */
async function fillCluster(client: KubeClient, results: Results): Promise<void> {
  for (let n = 0; n < NAMESPACES; n++) await client.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName(n) } });
  const created = await runClosedLoop(PODS, CREATE_CLIENTS, async (i) => {
    await client.create(gvr.pods, podOf(i));
  });
  results.add(`create ${PODS} bound pods (setup)`, created.perSecond, '/s');
  const t0 = performance.now();
  for (;;) {
    const list = await client.list<Pod>(gvr.pods);
    const running = list.items.filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.length === 2).length;
    if (running >= PODS) break;
    if (performance.now() - t0 > 600_000) throw new Error(`only ${running} of ${PODS} pods Running after 10 minutes`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  results.add(`hollow nodes: ${PODS} pods Running (setup)`, (performance.now() - t0) / 1000, 's');
}

async function heapMiB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  return usage.usedSize / MiB;
}

/** Seconds the renderer's main thread spent in tasks so far (CDP Performance metrics). */
async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
}

interface Write { key: string; restarts: number; ackAt: number }

/**
 * Status writes to the pods on screen at WRITES_PER_SECOND; a MutationObserver in the page
 * notes when each row's RESTARTS cell shows a new number (Date.now(), the same clock as here).
 */
async function churn(client: KubeClient, page: Page, cdp: CDPSession, minutes: number, heapStart: number, results: Results): Promise<void> {
  const onScreen = await page.evaluate(() => {
    const scroller = document.querySelector('.scroller')!.getBoundingClientRect();
    return Array.from(document.querySelectorAll('tr[data-pod]'))
      .filter((tr) => { const r = tr.getBoundingClientRect(); return r.top >= scroller.top && r.bottom <= scroller.bottom; })
      .map((tr) => tr.getAttribute('data-pod')!);
  });
  if (onScreen.length < 5) throw new Error(`only ${onScreen.length} pod rows on screen`);
  await page.evaluate(() => {
    const column = Array.from(document.querySelectorAll('thead th')).findIndex((th) => th.textContent === 'Restarts');
    const seen: [string, number, number][] = [];
    const last = new Map<string, string>();
    (window as unknown as { benchSeen: typeof seen }).benchSeen = seen;
    new MutationObserver((records) => {
      const now = Date.now();
      const rows = new Set<Element>();
      for (const r of records) {
        const el = r.target instanceof Element ? r.target : r.target.parentElement;
        const tr = el?.closest('tr[data-pod]');
        if (tr) rows.add(tr);
        for (const n of Array.from(r.addedNodes)) if (n instanceof Element && n.matches('tr[data-pod]')) rows.add(n);
      }
      for (const tr of rows) {
        const key = tr.getAttribute('data-pod')!;
        const text = tr.children[column]?.textContent ?? '';
        if (last.get(key) === text) continue;
        last.set(key, text);
        (window as unknown as { benchSeen: typeof seen }).benchSeen.push([key, Number(text), now]);
      }
    }).observe(document.querySelector('tbody')!, { subtree: true, childList: true, characterData: true });
  });

  // Per pod on screen: the sidecar's status index, the app container's restarts (left alone)
  // and the row's RESTARTS so far.
  const restarts = new Map<string, number>();
  const sidecarIndex = new Map<string, number>();
  const appRestarts = new Map<string, number>();
  for (const key of onScreen) {
    const [ns, name] = key.split('/');
    const pod = await client.get<Pod>(gvr.pods, ns, name);
    const statuses = pod.status?.containerStatuses ?? [];
    sidecarIndex.set(key, statuses.findIndex((s) => s.name === 'sidecar'));
    appRestarts.set(key, statuses.find((s) => s.name === 'app')?.restartCount ?? 0);
    restarts.set(key, statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0));
  }

  const writes: Write[] = [];
  const seen = new Map<string, [number, number][]>();
  const drain = async () => {
    const batch = await page.evaluate(() => {
      const w = window as unknown as { benchSeen: [string, number, number][] };
      const out = w.benchSeen;
      w.benchSeen = [];
      return out;
    });
    for (const [key, value, at] of batch) {
      let list = seen.get(key);
      if (!list) seen.set(key, (list = []));
      list.push([value, at]);
    }
  };

  let failed = 0;
  let firstFailure = '';
  let inFlight = 0;
  let next = 0;
  // One write in flight per pod, as a kubelet writes its pod's status: overlapping writes to one
  // object are refused by the server and could land out of order.
  const busy = new Set<string>();
  const write = async (key: string) => {
    const [ns, name] = key.split('/');
    busy.add(key);
    const total = restarts.get(key)! + 1;
    restarts.set(key, total);
    // Only the sidecar's count changes: the row's RESTARTS sum goes up by one per write.
    const path = `/status/containerStatuses/${sidecarIndex.get(key)}/restartCount`;
    inFlight++;
    try {
      await client.patch(gvr.pods, ns, name, [{ op: 'replace', path, value: total - appRestarts.get(key)! }], 'json', { subresource: 'status' });
      writes.push({ key, restarts: total, ackAt: Date.now() });
    } catch (err) {
      failed++;
      firstFailure ||= (err as Error).message;
    } finally {
      inFlight--;
      busy.delete(key);
    }
  };
  const idlePod = (): string | undefined => {
    for (let i = 0; i < onScreen.length; i++) {
      const key = onScreen[next++ % onScreen.length];
      if (!busy.has(key)) return key;
    }
    return undefined;
  };
  await cdp.send('Performance.enable');
  const busyBefore = await taskSeconds(cdp);
  const started = Date.now();
  const end = started + minutes * 60_000;
  const tickMs = 20;
  let nextHeapAt = started + 60_000;
  let nextDrainAt = started + 5_000;
  let minute = 0;
  let sent = 0;
  while (Date.now() < end) {
    const tickStart = Date.now();
    const due = Math.floor(((tickStart - started) / 1000) * WRITES_PER_SECOND) - sent;
    // Behind schedule (every pod's last write still in flight): the slot is lost, and the rate
    // achieved says so.
    for (let i = 0; i < due; i++) {
      const key = idlePod();
      if (key) void write(key);
      sent++;
    }
    if (tickStart >= nextDrainAt) {
      await drain();
      nextDrainAt += 5_000;
    }
    if (tickStart >= nextHeapAt) {
      minute++;
      results.add(`renderer JS heap after ${minute} min of churn`, await heapMiB(cdp), 'MiB', { kind: 'max', value: 300 });
      nextHeapAt += 60_000;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - tickStart))));
  }
  const rendererBusy = (await taskSeconds(cdp)) - busyBefore;
  const churnSeconds = (Date.now() - started) / 1000;
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1000));
  await drain();
  const heapEnd = await heapMiB(cdp);

  const latencies: number[] = [];
  let unseen = 0;
  for (const w of writes) {
    // The first time the row showed this count or a later one: batches may skip a number.
    const shown = (seen.get(w.key) ?? []).find(([value]) => value >= w.restarts);
    if (!shown) unseen++;
    else latencies.push(Math.max(0, shown[1] - w.ackAt));
  }
  results.add(`status writes to ${onScreen.length} pods on screen (rate achieved)`, writes.length / churnSeconds, '/s', { kind: 'min', value: WRITES_PER_SECOND * 0.95 });
  // How much of the renderer's main thread the churn used: the renderer's own share of a delay.
  results.add('renderer main thread busy during the churn', (rendererBusy / churnSeconds) * 100, '%');
  results.add('status write acknowledged → row updated: p50', percentile(latencies, 50), 'ms');
  results.add('status write acknowledged → row updated: p99', percentile(latencies, 99), 'ms', { kind: 'max', value: 100 });
  results.add('status write acknowledged → row updated: max', percentile(latencies, 100), 'ms');
  results.add('status writes acknowledged but never shown', unseen, 'writes', { kind: 'max', value: 0 });
  results.add('status writes failed', failed, 'writes');
  if (firstFailure) process.stdout.write(`  first failed write: ${firstFailure}\n`);
  results.add(`renderer JS heap after ${minutes} min of churn (end)`, heapEnd, 'MiB', { kind: 'max', value: 300 });
  // "Flat": the end within 10% (or 10 MiB) of the start.
  results.add('renderer JS heap growth over the churn', heapEnd - heapStart, 'MiB', { kind: 'max', value: Math.max(10, heapStart * 0.1) });
}
