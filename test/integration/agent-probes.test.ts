// Probes and lifecycle hooks through the real API, with real runc containers: readiness gates
// Ready and what kubectl shows (0/1 ↔ 1/1), a failed liveness probe restarts the container, a
// startup probe holds liveness back, httpGet (busybox httpd), tcpSocket and exec probes pass and
// fail, readiness gates set by others take part in Ready, and postStart and preStop hooks run —
// preStop before the container's SIGTERM. Events carry upstream's reasons and messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Event as CoreEvent, Pod } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { ensureCA, issueCertificate } from '../../src-main/auth/ca.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let bed: TestNode;
let kubectl: Kubectl;
const created: string[] = [];
const servers: ChildProcess[] = [];

beforeAll(async () => {
  bed = await startTestNode('klp');
  kubectl = new Kubectl('1.35', bed.cluster.kubeconfigPath);
}, 120_000);

afterAll(async () => {
  for (const s of servers) s.kill('SIGKILL');
  const logs = bed?.cluster.logs.filter((l) => l.startsWith('kubelet')).join('\n');
  for (const name of created) await kubectl.ok(['delete', 'pod', name, '--wait=true', '--timeout=60s', '--grace-period=1']).catch(() => undefined);
  await kubectl?.cleanup();
  const left = await bed?.stop();
  expect(left?.containers, logs).toEqual([]);
  expect(left?.mounts).toEqual([]);
  expect(left?.netns).toEqual([]);
});

const getPod = (name: string) => bed.cluster.client.get<Pod>(gvr.pods, 'default', name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
const events = async (pod: string) => (await bed.cluster.client.list<CoreEvent>({ group: '', version: 'v1', resource: 'events' }, { namespace: 'default' })).items.filter((e) => e.involvedObject?.name === pod);

const loop = 'trap "exit 0" TERM; while true; do sleep 1; done';

/** A folder of the test's, mounted in the pod at /shared. */
function shared(pod: string): string {
  const path = join(bed.dir, 'shared', pod);
  mkdirSync(path, { recursive: true });
  return path;
}

function container(name: string, script: string, more: Partial<Container> = {}): Container {
  return { name, image: bed.image, command: ['sh', '-c', script], volumeMounts: [{ name: 'shared', mountPath: '/shared' }], ...more };
}

async function createPod(name: string, containers: Container[], spec: Record<string, unknown> = {}): Promise<void> {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { terminationGracePeriodSeconds: 5, containers, volumes: [{ name: 'shared', hostPath: { path: shared(name), type: 'DirectoryOrCreate' } }], ...spec },
  };
  await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  created.push(name);
}

const statusOf = (pod: Pod | undefined, name: string) => pod?.status?.containerStatuses?.find((c) => c.name === name);
const conditionOf = (pod: Pod | undefined, type: string) => pod?.status?.conditions?.find((c) => c.type === type);
const kubectlGet = async (name: string) => (await kubectl.ok(['get', 'pod', name, '--no-headers'])).trim().split(/\s+/);
const eventTexts = async (pod: string) => (await events(pod)).map((e) => `${e.type} ${e.reason}: ${e.message}`);

/** Waits for an event about the pod whose "type reason: message" matches. */
const waitEvent = (pod: string, pattern: RegExp, timeoutMs = 30_000) => waitFor(`an event ${pattern} for ${pod}`, async () => {
  const texts = await eventTexts(pod);
  // The events seen so far go into the failure message.
  return texts.find((t) => pattern.test(t)) ?? Promise.reject(new Error(texts.join(' | ')));
}, timeoutMs, 250);

const execProbe = (command: string[], more: Record<string, unknown> = {}) => ({ exec: { command }, periodSeconds: 1, ...more });

describe('readiness', () => {
  it('an exec readiness probe gates Ready: 0/1 until the file exists, 1/1, then 0/1 again', async () => {
    await createPod('ready-exec', [container('main', loop, { readinessProbe: execProbe(['test', '-f', '/shared/ready']) })]);
    const running = await waitFor('ready-exec running', async () => {
      const p = await getPod('ready-exec');
      return statusOf(p, 'main')?.state?.running && p;
    }, 60_000);
    expect(statusOf(running, 'main')).toMatchObject({ ready: false, started: true });
    await waitEvent('ready-exec', /^Warning Unhealthy: Readiness probe failed: $/);
    expect((await kubectlGet('ready-exec')).slice(0, 3)).toEqual(['ready-exec', '0/1', 'Running']);
    const notReady = (await getPod('ready-exec'))!;
    expect(conditionOf(notReady, 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [main]' });
    expect(conditionOf(notReady, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [main]' });

    writeFileSync(join(shared('ready-exec'), 'ready'), '');
    await waitFor('ready-exec 1/1', async () => (await kubectlGet('ready-exec'))[1] === '1/1', 20_000, 200);
    const ready = (await getPod('ready-exec'))!;
    expect(statusOf(ready, 'main')!.ready).toBe(true);
    expect(conditionOf(ready, 'Ready')!.status).toBe('True');

    rmSync(join(shared('ready-exec'), 'ready'));
    await waitFor('ready-exec 0/1 again', async () => (await kubectlGet('ready-exec'))[1] === '0/1', 20_000, 200);
    expect(statusOf(await getPod('ready-exec'), 'main')!.restartCount).toBe(0);
  });

  it('readiness gates: Ready waits for the conditions others set, ContainersReady does not', async () => {
    await createPod('gated', [container('main', loop)], { readinessGates: [{ conditionType: 'example.com/lb-ready' }] });
    const pod = await waitFor('gated containers ready', async () => {
      const p = await getPod('gated');
      return conditionOf(p, 'ContainersReady')?.status === 'True' && p;
    }, 60_000);
    expect(conditionOf(pod, 'Ready')).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate "example.com/lb-ready" does not exist.' });
    // What a load balancer controller does: its own condition, through the status subresource.
    const setGate = async (status: string) => {
      const current = (await getPod('gated'))!;
      const conditions = [...(current.status!.conditions ?? []).filter((c) => c.type !== 'example.com/lb-ready'), { type: 'example.com/lb-ready', status, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }];
      await bed.cluster.client.patch(gvr.pods, 'default', 'gated', { status: { conditions } }, 'merge', { subresource: 'status' });
    };
    await setGate('False');
    const gateFalse = await waitFor('Ready names the false gate', async () => {
      const p = await getPod('gated');
      return conditionOf(p, 'Ready')?.message?.includes('is not "True", but False') && p;
    });
    expect(conditionOf(gateFalse, 'Ready')).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady', message: 'the status of pod readiness gate "example.com/lb-ready" is not "True", but False' });
    await setGate('True');
    const open = await waitFor('gated Ready', async () => {
      const p = await getPod('gated');
      return conditionOf(p, 'Ready')?.status === 'True' && p;
    });
    // The kubelet's status writes keep the condition it does not own.
    expect(conditionOf(open, 'example.com/lb-ready')!.status).toBe('True');
    expect(await kubectl.ok(['get', 'pod', 'gated', '-o', 'wide'])).toMatch(/^gated\s+1\/1\s+Running\s.*\s1\/1\s*$/m);
  });
});

describe('liveness and startup', () => {
  it('restarts a container that fails its liveness probe, killing it after the probe\'s grace period', async () => {
    // sh as pid 1 has no TERM handler here, so only SIGKILL ends it: the probe's 1 s, not the pod's 30 s.
    await createPod('live-exec', [container('main', 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; while true; do sleep 1; done', {
      livenessProbe: execProbe(['cat', '/tmp/healthy'], { failureThreshold: 2, terminationGracePeriodSeconds: 1 }),
    })], { terminationGracePeriodSeconds: 30 });
    const unhealthy = await waitEvent('live-exec', /^Warning Unhealthy: Liveness probe failed: /, 60_000);
    expect(unhealthy).toBe("Warning Unhealthy: Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n");
    await waitEvent('live-exec', /^Normal Killing: Container main failed liveness probe, will be restarted$/);
    const restarted = await waitFor('live-exec restarted', async () => {
      const p = await getPod('live-exec');
      return (statusOf(p, 'main')?.restartCount ?? 0) >= 1 && statusOf(p, 'main')?.state?.running && p;
    }, 60_000);
    const last = statusOf(restarted, 'main')!.lastState!.terminated!;
    expect(last).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(Date.parse(last.finishedAt!) - Date.parse(last.startedAt!)).toBeLessThan(15_000);
    expect((await kubectlGet('live-exec')).slice(0, 3)).toEqual(['live-exec', '1/1', 'Running']);
  });

  it('holds liveness and readiness back until the startup probe passes, and restarts a container that never starts', async () => {
    await createPod('startup', [
      container('main', loop, {
        startupProbe: execProbe(['test', '-f', '/shared/started'], { failureThreshold: 60 }),
        livenessProbe: execProbe(['false'], { failureThreshold: 1 }),
      }),
      container('never', loop, { startupProbe: execProbe(['sh', '-c', 'echo never; exit 1'], { failureThreshold: 2 }) }),
    ]);
    await waitFor('startup running', async () => statusOf(await getPod('startup'), 'main')?.state?.running, 60_000);
    await waitEvent('startup', /^Normal Killing: Container never failed startup probe, will be restarted$/);
    // Three startup failures of main later, liveness has still not run.
    await waitFor('main failed its startup probe a few times', async () => ((await events('startup')).find((e) => e.message === 'Startup probe failed: ')?.count ?? 0) >= 3, 30_000, 250);
    expect((await eventTexts('startup')).filter((t) => t.includes('Liveness'))).toEqual([]);
    expect(statusOf(await getPod('startup'), 'main')).toMatchObject({ started: false, ready: false, restartCount: 0 });

    writeFileSync(join(shared('startup'), 'started'), '');
    await waitFor('main started', async () => statusOf(await getPod('startup'), 'main')?.started === true, 20_000, 200);
    await waitEvent('startup', /^Warning Unhealthy: Liveness probe failed: $/);
    await waitEvent('startup', /^Normal Killing: Container main failed liveness probe, will be restarted$/);
  });
});

describe('httpGet and tcpSocket', () => {
  it('pass against busybox httpd and fail with upstream\'s messages', async () => {
    const dir = shared('net-probes');
    mkdirSync(join(dir, 'www', 'cgi-bin'), { recursive: true });
    writeFileSync(join(dir, 'www', 'cgi-bin', 'ua'), '#!/bin/sh\necho "$HTTP_USER_AGENT|$HTTP_X_PROBE" >> /shared/ua.log\nprintf "Content-Type: text/plain\\r\\n\\r\\nok\\n"\n', { mode: 0o755 });
    const port = { port: 8080 };
    await createPod('net-probes', [
      container('web', 'exec httpd -f -p 8080 -h /shared/www', {
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/cgi-bin/ua', port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] }, periodSeconds: 1 },
      }),
      container('web-missing', loop, { readinessProbe: { httpGet: { path: '/missing', ...port }, periodSeconds: 1 } }),
      container('tcp-open', loop, { readinessProbe: { tcpSocket: port, periodSeconds: 1 } }),
      container('tcp-closed', loop, { readinessProbe: { tcpSocket: { port: 8081 }, periodSeconds: 1 } }),
    ]);
    const pod = await waitFor('web and tcp-open ready', async () => {
      const p = await getPod('net-probes');
      return statusOf(p, 'web')?.ready && statusOf(p, 'tcp-open')?.ready && p;
    }, 60_000);
    const ip = pod.status!.podIP!;
    expect(statusOf(pod, 'web-missing')!.ready).toBe(false);
    expect(statusOf(pod, 'tcp-closed')!.ready).toBe(false);
    await waitEvent('net-probes', /^Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404$/);
    expect(await waitEvent('net-probes', /Readiness probe failed: dial tcp/)).toBe(`Warning Unhealthy: Readiness probe failed: dial tcp ${ip}:8081: connect: connection refused`);
    expect(readFileSync(join(dir, 'ua.log'), 'utf8').split('\n')[0]).toBe('kube-probe/1.35|yes');
    expect((await kubectlGet('net-probes')).slice(0, 3)).toEqual(['net-probes', '2/4', 'Running']);
  });
});

describe('lifecycle hooks', () => {
  it('runs postStart after the start, and preStop (exec, httpGet, sleep) before SIGTERM on deletion', async () => {
    const dir = shared('hooks');
    mkdirSync(join(dir, 'www', 'cgi-bin'), { recursive: true });
    writeFileSync(join(dir, 'www', 'cgi-bin', 'hook'), '#!/bin/sh\necho "$QUERY_STRING $HTTP_USER_AGENT" >> /shared/http.log\nprintf "Content-Type: text/plain\\r\\n\\r\\nok\\n"\n', { mode: 0o755 });
    await createPod('hooks', [
      container('main', 'trap "echo TERM >> /shared/main.log; exit 0" TERM; echo main >> /shared/main.log; while true; do sleep 1; done', {
        lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo postStart >> /shared/main.log'] } }, preStop: { exec: { command: ['sh', '-c', 'echo preStop >> /shared/main.log'] } } },
      }),
      container('web', 'trap "exit 0" TERM; httpd -f -p 8080 -h /shared/www & wait', {
        lifecycle: { preStop: { httpGet: { path: '/cgi-bin/hook?preStop', port: 8080 } } },
      }),
      // An HTTPS hook that an HTTP server answers is sent again over HTTP (its own httpd: it runs until its TERM).
      container('fallback', 'trap "exit 0" TERM; httpd -f -p 8081 -h /shared/www & wait', {
        lifecycle: { preStop: { httpGet: { scheme: 'HTTPS', path: '/cgi-bin/hook?fallback', port: 8081 } } },
      }),
      container('sleeper', 'trap "echo TERM > /shared/sleeper.log; exit 0" TERM; while true; do sleep 0.1; done', { lifecycle: { preStop: { sleep: { seconds: 2 } } } }),
    ], { terminationGracePeriodSeconds: 10 });
    const hooksIP = (await waitFor('hooks running', async () => {
      const p = await getPod('hooks');
      return p?.status?.containerStatuses?.every((c) => c.state?.running) && p;
    }, 60_000)).status!.podIP;
    await waitFor('postStart ran', () => existsSync(join(dir, 'main.log')) && readFileSync(join(dir, 'main.log'), 'utf8').includes('postStart'));
    const deleted = Date.now();
    await kubectl.ok(['delete', 'pod', 'hooks', '--wait=false']);
    await waitFor('the sleeper got SIGTERM', () => existsSync(join(dir, 'sleeper.log')), 20_000, 50);
    expect(Date.now() - deleted).toBeGreaterThanOrEqual(2_000);
    await waitFor('hooks gone', async () => (await getPod('hooks')) === undefined, 30_000);
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).toMatch(/postStart\n(.|\n)*preStop\nTERM\n$/);
    expect(readFileSync(join(dir, 'http.log'), 'utf8').split('\n').sort()).toEqual(['', 'fallback kube-lifecycle/1.35', 'preStop kube-lifecycle/1.35']);
    const texts = await eventTexts('hooks');
    expect(texts).toContain(`Warning LifecycleHTTPFallback: request to HTTPS lifecycle hook ${hooksIP}:8081 got HTTP response, retry with HTTP succeeded`);
    expect(texts.filter((t) => t.includes('FailedPreStopHook'))).toEqual([]);
  });

  it('ends a postStart hook that is still running when the pod is deleted', async () => {
    await createPod('slow-start', [container('main', loop, { lifecycle: { postStart: { sleep: { seconds: 3600 } } } })], { terminationGracePeriodSeconds: 2 });
    await waitFor('slow-start\'s container created', async () => (await events('slow-start')).some((e) => e.reason === 'Started'), 60_000);
    expect(statusOf(await getPod('slow-start'), 'main')?.state?.running).toBeUndefined();
    const t0 = Date.now();
    await kubectl.ok(['delete', 'pod', 'slow-start', '--wait=true', '--timeout=60s']);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(await eventTexts('slow-start')).toEqual(expect.arrayContaining([expect.stringMatching(/^Warning FailedPostStartHook: Sleep lifecycle hook \(3600\) for Container "main" in Pod "slow-start_default\(.*\)" failed - error: container terminated before sleep hook finished$/)]));
  });

  it('kills a container whose postStart fails, and reports a failed preStop', async () => {
    await createPod('hook-fails', [container('main', 'while true; do sleep 1; done', {
      lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo oops; exit 3'] } }, preStop: { exec: { command: ['sh', '-c', 'exit 1'] } } },
    })], { restartPolicy: 'Never', terminationGracePeriodSeconds: 2 });
    const pod = await waitFor('hook-fails Failed', async () => {
      const p = await getPod('hook-fails');
      return p?.status?.phase === 'Failed' && p;
    }, 60_000);
    const uid = pod.metadata!.uid!;
    expect(statusOf(pod, 'main')!.state!.terminated).toMatchObject({ exitCode: 137 });
    const texts = await eventTexts('hook-fails');
    expect(texts).toEqual(expect.arrayContaining([
      `Warning FailedPostStartHook: Exec lifecycle hook ([sh -c echo oops; exit 3]) for Container "main" in Pod "hook-fails_default(${uid})" failed - error: command 'sh -c echo oops; exit 3' exited with 3: , message: "oops\\n"`,
      'Normal Killing: FailedPostStartHook',
      'Warning FailedPreStopHook: PreStopHook failed',
    ]));
  });
});

/**
 * Servers busybox does not have (HTTPS, a gRPC health service, redirects), run by the node binary
 * inside the pod's network namespace, so that the probes reach them at the pod IP.
 */
const serverScript = `const fs = require('fs'), http = require('http'), https = require('https'), http2 = require('http2');
const [cert, key] = process.argv.slice(1).map((f) => fs.readFileSync(f));
https.createServer({ cert, key }, (q, s) => s.end('secure')).listen(8443);
http.createServer((q, s) => {
  const to = { '/here': '/ok', '/away': 'http://192.0.2.1/', '/loop': '/loop' }[q.url];
  if (to) s.writeHead(302, { location: to });
  s.end(to ? 'moved' : 'ok');
}).listen(8080);
const h2 = http2.createServer();
h2.on('stream', (st, h) => {
  let body = Buffer.alloc(0);
  st.on('data', (d) => (body = Buffer.concat([body, d])));
  st.on('end', () => {
    if (h[':path'] !== '/grpc.health.v1.Health/Check') return st.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service' }, { endStream: true });
    const service = body.subarray(7).toString();
    st.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    st.on('wantTrailers', () => st.sendTrailers({ 'grpc-status': '0' }));
    st.end(Buffer.from([0, 0, 0, 0, 2, 8, service === 'down' ? 2 : 1]));
  });
});
h2.listen(9090, () => console.log('up'));`;

async function serveInPod(pod: string): Promise<void> {
  const netns = await waitFor(`${pod}'s sandbox`, () => bed.kubelet.runningPod('default', pod)?.worker.sandbox?.netnsPath, 60_000);
  mkdirSync(join(bed.dir, 'ca'), { recursive: true });
  const ca = await ensureCA(join(bed.dir, 'ca'));
  const { certPem, keyPem } = await issueCertificate(ca, { subject: 'CN=probe-test', usages: ['1.3.6.1.5.5.7.3.1'], days: 1 });
  writeFileSync(join(bed.dir, 'ca', 'server.crt'), certPem);
  writeFileSync(join(bed.dir, 'ca', 'server.key'), keyPem);
  const server = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, '-e', serverScript, join(bed.dir, 'ca', 'server.crt'), join(bed.dir, 'ca', 'server.key')], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(server);
  await new Promise((r) => server.stdout!.once('data', r));
}

describe('HTTPS, redirects and grpc', () => {
  // The server starts once the pod's sandbox exists: the probes wait a little for it.
  const probe = (action: Record<string, unknown>) => ({ ...action, initialDelaySeconds: 3, periodSeconds: 2 });

  it('probes HTTPS without verifying the certificate, and gRPC health', async () => {
    await createPod('secure', [
      container('https', loop, { readinessProbe: probe({ httpGet: { scheme: 'HTTPS', path: '/healthz', port: 8443 } }) }),
      container('grpc-up', loop, { readinessProbe: probe({ grpc: { port: 9090 } }) }),
      container('grpc-down', loop, { readinessProbe: probe({ grpc: { port: 9090, service: 'down' } }) }),
    ]);
    await serveInPod('secure');
    const pod = await waitFor('https and grpc-up ready', async () => {
      const p = await getPod('secure');
      return statusOf(p, 'https')?.ready && statusOf(p, 'grpc-up')?.ready && p;
    }, 60_000);
    expect(statusOf(pod, 'grpc-down')!.ready).toBe(false);
    await waitEvent('secure', /^Warning Unhealthy: Readiness probe failed: service unhealthy \(responded with "NOT_SERVING"\)$/);
  });

  it('follows redirects on the same host, stops (as a success) at another host, and gives up after 10', async () => {
    await createPod('redirects', [
      container('here', loop, { readinessProbe: probe({ httpGet: { path: '/here', port: 8080 } }) }),
      container('away', loop, { readinessProbe: probe({ httpGet: { path: '/away', port: 8080 } }) }),
      // Ten hops, each a new connection: room for a busy machine beyond the default 1 s.
      container('loop', loop, { readinessProbe: { ...probe({ httpGet: { path: '/loop', port: 8080 } }), timeoutSeconds: 5 } }),
    ]);
    await serveInPod('redirects');
    const pod = await waitFor('here and away ready', async () => {
      const p = await getPod('redirects');
      return statusOf(p, 'here')?.ready && statusOf(p, 'away')?.ready && p;
    }, 60_000);
    expect(statusOf(pod, 'loop')!.ready).toBe(false);
    await waitEvent('redirects', /^Warning ProbeWarning: Readiness probe warning: Probe terminated redirects, Response body: moved$/);
    await waitEvent('redirects', new RegExp(`^Warning Unhealthy: Readiness probe failed: Get "http://${pod.status!.podIP!.replace(/\./g, '\\.')}:8080/loop": stopped after 10 redirects$`));
  });
});
