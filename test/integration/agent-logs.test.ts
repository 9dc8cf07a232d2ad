// Container logs end to end: real runc containers write to FIFOs the agent turns into CRI log
// files (<stateDir>/logs/<ns>_<pod>_<uid>/<container>/<n>.log, rotated by size), and real kubectl
// 1.20, 1.28 and 1.35 read them through the API and the agent's endpoint: -f, --previous after a
// restart, --tail, --since, --since-time, --timestamps, --limit-bytes, -c, the multi-container
// errors; output survives an agent restart; stdin and the live tap feed `kubectl attach`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl, KUBECTL_VERSIONS } from './harness/kubectl.ts';

let node: TestNode;
const kubectls: Record<string, Kubectl> = {};
const kubectl = () => kubectls['1.35'];
// Rotation at 256 KiB: above the 64 KiB a FIFO holds, so a burst while the agent is down shows whole.
const MAX_SIZE = 256 * 1024;

const getPod = (name: string) => node.cluster.client.get<Pod>(gvr.pods, 'default', name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));

function pod(name: string, containers: { name: string; script: string; stdin?: boolean; stdinOnce?: boolean }[], restartPolicy = 'Always', extra: object = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { restartPolicy, terminationGracePeriodSeconds: 2, ...extra, containers: containers.map((c) => ({ name: c.name, image: node.image, command: ['sh', '-c', c.script], stdin: c.stdin, stdinOnce: c.stdinOnce })) },
  });
}

async function runPod(manifest: string, name: string, until: (p: Pod) => boolean = (p) => p.status?.phase === 'Running'): Promise<Pod> {
  await kubectl().ok(['apply', '-f', '-'], { input: manifest });
  return waitFor(`${name} started\n${node.cluster.logs.slice(-5).join('\n')}`, async () => {
    const p = await getPod(name);
    return p && until(p) && p;
  }, 60_000);
}

const logDir = (p: Pod, container: string) => join(node.stateDir, 'logs', `default_${p.metadata!.name}_${p.metadata!.uid}`, container);

// A line of 32 KiB: two pieces of 16 KiB in the file (P, then F), one line for kubectl.
const LONG = 'x'.repeat(32 * 1024);
// The pauses order the entries: stdout and stderr are two pipes, read as data comes.
const talker = 'echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; s=x; i=0; while [ $i -lt 15 ]; do s=$s$s; i=$((i+1)); done; echo $s; echo four; sleep 3600';

beforeAll(async () => {
  node = await startTestNode('klg', { containerLogMaxSize: MAX_SIZE, containerLogMaxFiles: 3 });
  for (const v of KUBECTL_VERSIONS) kubectls[v] = new Kubectl(v, node.cluster.kubeconfigPath);
  await runPod(pod('talker', [{ name: 'main', script: talker }]), 'talker');
  await waitFor('talker wrote everything', async () => (await kubectl().ok(['logs', 'talker'])).endsWith('four\n'));
});

afterAll(async () => {
  for (const k of Object.values(kubectls)) await k.cleanup();
  const left = await node?.stop();
  expect(left?.containers).toEqual([]);
  expect(left?.mounts).toEqual([]);
});

describe('kubectl logs', () => {
  it('writes the CRI format: time, stream, F for lines and P for the pieces of a long one', async () => {
    const p = (await getPod('talker'))!;
    const lines = readFileSync(join(logDir(p, 'main'), '0.log'), 'utf8').split('\n').filter(Boolean);
    const shape = lines.map((l) => /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (stdout|stderr) ([FP]) (.*)$/.exec(l)!.slice(2).map((x) => (x.length > 20 ? `${x[0]}*${x.length}` : x)));
    expect(shape).toEqual([['stdout', 'F', 'one'], ['stderr', 'F', 'two'], ['stdout', 'F', 'three'], ['stdout', 'P', 'x*16384'], ['stdout', 'F', 'x*16384'], ['stdout', 'F', 'four']].map(([s, t, c]) => [s, t, c]));
  });

  for (const version of KUBECTL_VERSIONS) {
    it(`shows them through the API with kubectl ${version}: all, --tail, --timestamps, --limit-bytes`, async () => {
      const k = kubectls[version];
      expect(await k.ok(['logs', 'talker'])).toBe(`one\ntwo\nthree\n${LONG}\nfour\n`);
      // --tail counts the file's entries, as the kubelet does: the long line's last piece is one.
      expect(await k.ok(['logs', 'talker', '--tail=2'])).toBe(`${LONG.slice(16 * 1024)}\nfour\n`);
      expect(await k.ok(['logs', 'talker', '--tail=3'])).toBe(`${LONG}\nfour\n`);
      expect(await k.ok(['logs', 'talker', '--limit-bytes=6'])).toBe('one\ntw');
      const stamped = (await k.ok(['logs', 'talker', '--timestamps', '--tail=3'])).split('\n');
      expect(stamped.length).toBe(3);
      expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z x{32768}$/);
      expect(stamped[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z four$/);
      expect(await k.ok(['logs', 'talker', '--since=1h', '--tail=1'])).toBe('four\n');
    });
  }

  it('keeps the entries at or after --since-time and --since', async () => {
    const p = await runPod(pod('later', [{ name: 'main', script: 'echo early; sleep 3; echo late; sleep 3600' }]), 'later');
    const stamped = await waitFor('late written', async () => {
      const out = await kubectl().ok(['logs', 'later', '--timestamps']);
      return out.includes(' late') && out;
    });
    const lateAt = /(\S+) late/.exec(stamped)![1];
    // --since-time takes whole seconds: the second "late" was written in is after "early" (3 s before).
    const second = `${lateAt.slice(0, 19)}Z`;
    for (const v of ['1.20', '1.35']) expect(await kubectls[v].ok(['logs', 'later', `--since-time=${second}`])).toBe('late\n');
    expect(await kubectl().ok(['logs', 'later', '--since=1h'])).toBe('early\nlate\n');
    expect(p.metadata!.name).toBe('later');
  });

  it('follows with -f until the container ends, for 1.20 and 1.35', async () => {
    await runPod(pod('ticker', [{ name: 'main', script: 'for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.5; done' }], 'Never'), 'ticker', (p) => p.status?.phase === 'Running' || p.status?.phase === 'Succeeded');
    const followers = ['1.20', '1.35'].map((v) => kubectls[v].start(['logs', '-f', 'ticker']));
    for (const f of followers) await f.waitFor(/tick 2\n/);
    // Still running: more comes, and kubectl has not ended.
    for (const f of followers) expect(f.child.exitCode).toBeNull();
    for (const f of followers) await f.waitFor(/tick 6\n/);
    for (const f of followers) await waitFor('kubectl logs -f ends with the container', () => f.child.exitCode === 0, 15_000);
    for (const f of followers) expect(f.stdout()).toBe('tick 1\ntick 2\ntick 3\ntick 4\ntick 5\ntick 6\n');
  });

  it('shows the run before with --previous, once the container restarted', async () => {
    const script = 'n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/n; echo run $n; [ $n -ge 2 ] || exit 1; sleep 3600';
    await runPod(pod('again', [{ name: 'main', script }], 'Always', { volumes: [{ name: 'data', emptyDir: {} }] }).replace('"command"', '"volumeMounts":[{"name":"data","mountPath":"/data"}],"command"'), 'again');
    // A container that never restarted has no previous run.
    const none = await kubectl().run(['logs', 'talker', '--previous']);
    expect(none.stderr.trim()).toBe('Error from server (BadRequest): previous terminated container "main" in pod "talker" not found');
    await waitFor('again restarted and running', async () => {
      const p = await getPod('again');
      return (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p?.status?.containerStatuses?.[0]?.state?.running && p;
    }, 60_000);
    for (const v of KUBECTL_VERSIONS) {
      expect(await waitFor('run 2 logged', async () => (await kubectls[v].ok(['logs', 'again'])) === 'run 2\n' || undefined)).toBe(true);
      expect(await kubectls[v].ok(['logs', 'again', '--previous'])).toBe('run 1\n');
      expect(await kubectls[v].ok(['logs', 'again', '-p', '--timestamps'])).toMatch(/^\S+Z run 1\n$/);
    }
  });

  it('picks a container with -c and answers as upstream without one', async () => {
    await runPod(pod('pair', [{ name: 'a', script: 'echo from a; sleep 3600' }, { name: 'b', script: 'echo from b; sleep 3600' }]), 'pair');
    for (const v of KUBECTL_VERSIONS) {
      expect(await waitFor('b logged', async () => (await kubectls[v].ok(['logs', 'pair', '-c', 'b'])) === 'from b\n' || undefined)).toBe(true);
      expect(await kubectls[v].ok(['logs', 'pair', '--container=a'])).toBe('from a\n');
    }
    // kubectl fetches the containers' logs concurrently: their order in its output varies.
    const lines = (out: string) => out.split('\n').filter(Boolean).sort();
    for (const v of ['1.20', '1.35']) expect(lines(await kubectls[v].ok(['logs', 'pair', '--all-containers']))).toEqual(['from a', 'from b']);
    expect(lines(await kubectl().ok(['logs', 'pair', '--all-containers', '--prefix']))).toEqual(['[pod/pair/a] from a', '[pod/pair/b] from b']);
    // 1.20 refuses itself; later ones default to the first container and say so.
    expect((await kubectls['1.20'].run(['logs', 'pair'])).stderr).toContain('a container name must be specified for pod pair, choose one of: [a b]');
    const defaulted = await kubectls['1.28'].run(['logs', 'pair']);
    expect([defaulted.stdout, defaulted.stderr.trim()]).toEqual(['from a\n', 'Defaulted container "a" out of: a, b']);
    // The API's own answers, as kubectl prints them.
    expect((await kubectl().run(['get', '--raw', '/api/v1/namespaces/default/pods/pair/log'])).stderr).toContain('Error from server (BadRequest): a container name must be specified for pod pair, choose one of: [a b]');
    expect((await kubectl().run(['get', '--raw', '/api/v1/namespaces/default/pods/pair/log?container=c'])).stderr).toContain('Error from server (BadRequest): container c is not valid for pod pair');
  });

  it('shows an init container\'s log with -c, and why a container that never started has none', async () => {
    const manifest = JSON.parse(pod('inits', [{ name: 'main', script: 'echo main ran; sleep 3600' }]));
    manifest.spec.initContainers = [{ name: 'prepare', image: node.image, command: ['sh', '-c', 'echo preparing'] }];
    await runPod(JSON.stringify(manifest), 'inits');
    for (const v of ['1.20', '1.35']) expect(await kubectls[v].ok(['logs', 'inits', '-c', 'prepare'])).toBe('preparing\n');
    const missing = JSON.parse(pod('nopull', [{ name: 'main', script: 'true' }]));
    missing.spec.containers[0].image = `${node.registry.host}/test/nothing:1`;
    await runPod(JSON.stringify(missing), 'nopull', (p) => /ErrImagePull|ImagePullBackOff/.test(p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? ''));
    const answer = await kubectl().run(['logs', 'nopull']);
    expect(answer.stderr.trim()).toMatch(/^Error from server \(BadRequest\): container "main" in pod "nopull" is waiting to start: (image can't be pulled|trying and failing to pull image)$/);
    await kubectl().ok(['delete', 'pod', 'nopull', 'inits', '--wait=true', '--timeout=60s']);
  });

  it('rotates a log by size with upstream names, keeping maxFiles files, and shows the live one', async () => {
    // 4000 lines of 200 bytes: about 1 MB of entries, some four rotations at 256 KiB.
    const script = 'l=0123456789; l=$l$l$l$l$l$l$l$l$l$l$l$l$l$l$l$l$l$l$l$l; i=0; while [ $i -lt 4000 ]; do i=$((i+1)); echo "$i $l"; done; echo done; sleep 3600';
    const p = await runPod(pod('chatty', [{ name: 'main', script }]), 'chatty');
    await waitFor('chatty done', async () => (await kubectl().ok(['logs', 'chatty', '--tail=1'])) === 'done\n' || undefined);
    // The live file, the newest rotated one as it is, the one before gzipped; older ones gone.
    const files = readdirSync(logDir(p, 'main'));
    expect(files.length).toBe(3);
    expect(files).toContain('0.log');
    expect(files.filter((f) => /^0\.log\.\d{8}-\d{6}(\.\d+)?\.gz$/.test(f)).length).toBe(1);
    expect(files.filter((f) => /^0\.log\.\d{8}-\d{6}(\.\d+)?$/.test(f)).length).toBe(1);
    // kubectl logs reads the live file, as upstream: the newest lines, ending with the last.
    const shown = (await kubectl().ok(['logs', 'chatty'])).split('\n').filter(Boolean);
    expect(shown.at(-1)).toBe('done');
    expect(shown.at(-2)).toMatch(/^4000 0123/);
    expect(shown.length).toBeLessThan(1100);
    const numbers = shown.slice(0, -1).map((l) => Number(l.split(' ')[0]));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
  });

  it('loses no output over an agent restart, blocks a container that writes more meanwhile, and restarts none', async () => {
    const p = await runPod(pod('counter', [{ name: 'main', script: 'i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo n $i; sleep 0.05; done; sleep 3600' }]), 'counter');
    await waitFor('counter going', async () => (await kubectl().ok(['logs', 'counter'])).includes('n 3\n'));
    // 1000 lines of 100 bytes, 2 s after its start: while the agent is down, past what a FIFO holds.
    const line = 'abcdefghij'.repeat(9);
    const burst = await runPod(pod('burst', [{ name: 'main', script: `sleep 2; i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo "$i ${line}"; done; echo done; sleep 3600` }]), 'burst');
    const ids = [p, burst].map((x) => x.status!.containerStatuses![0].containerID);
    // A pod that ended before the restart keeps its logs (read by its status's runs).
    const tickerLog = await kubectl().ok(['logs', 'ticker']);
    expect(tickerLog).toContain('tick 6\n');
    // Down for 4 s: the counter's lines wait in its FIFO, the burst fills its FIFO and waits.
    await node.restartAgent(4000);
    expect(await kubectl().ok(['logs', 'ticker'])).toBe(tickerLog);
    await kubectl().ok(['delete', 'pod', 'ticker', '--wait=true', '--timeout=60s']);
    const all = await waitFor('counter reached 100', async () => {
      const out = await kubectl().ok(['logs', 'counter']).catch(() => '');
      return out.includes('n 100\n') && out;
    }, 30_000);
    expect(all).toBe(Array.from({ length: 100 }, (_, i) => `n ${i + 1}\n`).join(''));
    // The entries' times are when the agent read them: a gap of the downtime, mid-count.
    const times = (await kubectl().ok(['logs', 'counter', '--timestamps'])).split('\n').filter(Boolean).map((l) => Date.parse(l.split(' ')[0]));
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.max(...gaps)).toBeGreaterThan(3000);
    expect(gaps.indexOf(Math.max(...gaps))).toBeLessThan(95);
    const burstOut = await waitFor('burst done', async () => {
      const out = await kubectl().ok(['logs', 'burst']).catch(() => '');
      return out.endsWith('done\n') && out;
    }, 30_000);
    expect(burstOut).toBe(`${Array.from({ length: 1000 }, (_, i) => `${i + 1} ${line}\n`).join('')}done\n`);
    const after = await Promise.all(['counter', 'burst'].map(async (n) => (await getPod(n))!.status!.containerStatuses![0]));
    expect(after.map((c) => [c.containerID, c.restartCount])).toEqual(ids.map((id) => [id, 0]));
  });

  it('feeds stdin and the live tap (for attach), and removes the logs with the pod', async () => {
    const p = await runPod(pod('reader', [{ name: 'main', script: 'while read l; do echo "got $l"; done; echo eof', stdin: true, stdinOnce: true }], 'Never'), 'reader');
    const id = p.status!.containerStatuses![0].containerID!.replace('runc://', '');
    const io = node.kubelet.logs.get(id)!;
    const seen: string[] = [];
    const untap = io.tap((stream, chunk) => seen.push(`${stream}:${chunk.toString()}`));
    const stdin = io.openStdin()!;
    stdin.write('hello\n');
    await waitFor('the tap saw the answer', () => seen.join('') === 'stdout:got hello\n');
    // One session ends: the container's stdin stays open for the next.
    stdin.end();
    await new Promise((r) => setTimeout(r, 300));
    expect((await getPod('reader'))!.status!.phase).toBe('Running');
    const second = io.openStdin()!;
    second.write('again\n');
    io.closeStdin();
    second.end();
    await waitFor('reader ended on EOF', async () => (await getPod('reader'))?.status?.phase === 'Succeeded', 20_000);
    untap();
    expect(await kubectl().ok(['logs', 'reader'])).toBe('got hello\ngot again\neof\n');
    const dir = join(node.stateDir, 'logs', `default_reader_${p.metadata!.uid}`);
    expect(existsSync(dir)).toBe(true);
    // An ended pod goes from the API at once; the kubelet then removes it from the node.
    await kubectl().ok(['delete', 'pod', 'reader', '--wait=true', '--timeout=60s']);
    await waitFor('the pod\'s logs removed', () => !existsSync(dir));
  });
});
