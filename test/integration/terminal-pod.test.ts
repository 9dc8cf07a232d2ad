// A pod's terminal through the bridge's openTerminal: the exec API over a WebSocket, through the
// API server to a real agent running the container with runc. A shell (sh: busybox has no bash)
// of the screen's size that follows resizes, a chosen container and command, the exit status,
// the API's own message when refused, a lost connection said as such, and nothing left running
// in the container once the tab closes.
import type { Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';
import { TerminalClient } from './harness/terminal-client.ts';

let node: TestNode;
let kubectl: Kubectl;
const deps = () => ({ client: node.cluster.client });
const box = { type: 'pod', namespace: 'default', pod: 'box' } as const;

beforeAll(async () => {
  node = await startTestNode('ktp');
  kubectl = new Kubectl('1.35', node.cluster.kubeconfigPath);
  const container = (name: string) => ({ name, image: node.image, command: ['sh', '-c', `echo ${name} > /tmp/who; trap "exit 0" TERM; while true; do sleep 1; done`] });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'box' }, spec: { terminationGracePeriodSeconds: 2, containers: [container('main'), container('side')] } };
  await node.cluster.client.create(gvr.pods, pod, { namespace: 'default' });
  await waitFor('box Running', async () => (await node.cluster.client.get<Pod>(gvr.pods, 'default', 'box')).status?.phase === 'Running', 60_000);
});

afterAll(async () => {
  await kubectl?.cleanup();
  const left = await node?.stop();
  expect(left).toEqual({ containers: [], mounts: [], netns: [], cgroups: [] });
});

const processes = async (container: string) => (await kubectl.ok(['exec', 'box', '-c', container, '--', 'ps', '-o', 'args']));

describe('pod terminal', () => {
  it('opens a shell of the screen\'s size in the first container, follows resizes, keeps UTF-8 whole and ends with the exit status', async () => {
    const t = await TerminalClient.open(deps(), box, { cols: 100, rows: 30 });
    t.type('echo "who=$(cat /tmp/who) size=$(busybox stty size) tty=$(busybox tty | cut -c1-9)"\r');
    await t.until('who=main size=30 100 tty=/dev/pts/');
    t.send({ type: 'resize', cols: 120, rows: 40 });
    t.type('echo "now=$(busybox stty size)"\r');
    await t.until('now=40 120');
    t.type('printf "e=\\303\\251 euro=\\342\\202\\254\\n"\r');
    await t.until('e=é euro=€');
    t.type('exit 4\r');
    expect(await t.untilEnded()).toBe('');
    expect(t.exit).toBe(4);
  });

  it('runs the given command in the given container, and ends it when the tab closes', async () => {
    const t = await TerminalClient.open(deps(), { ...box, container: 'side', command: ['sh', '-c', 'echo "in-$(cat /tmp/who)"; exec sleep 4242'] });
    await t.until('in-side');
    await waitFor('sleep running', async () => (await processes('side')).includes('sleep 4242'), 10_000);
    t.close();
    await waitFor('nothing left of the terminal in the container', async () => !(await processes('side')).includes('sleep 4242'), 20_000);
    expect(t.exit).toBeUndefined();
  });

  it('prefers bash where the image has it', async () => {
    // busybox has no bash: one is made in the side container, on the PATH.
    await kubectl.ok(['exec', 'box', '-c', 'side', '--', 'sh', '-c', 'printf "#!/bin/sh\\necho \\"bash-here=\\$((3*3))\\"\\nexec sh\\n" > /bin/bash && chmod +x /bin/bash']);
    const t = await TerminalClient.open(deps(), { ...box, container: 'side' });
    await t.until('bash-here=9');
    t.close();
  });

  it('fails with the API server\'s message for a pod that does not exist, and shows why a command could not start', async () => {
    await expect(TerminalClient.open(deps(), { ...box, pod: 'nope' })).rejects.toThrow('pods "nope" not found');
    const t = await TerminalClient.open(deps(), { ...box, command: ['no-such-shell'] });
    expect(await t.untilEnded()).toBe('');
    // As kubectl exec -it shows it: the runtime's message on the screen, exit code 127.
    expect(t.out).toContain('"no-such-shell": executable file not found in $PATH');
    expect(t.exit).toBe(127);
  });

  it('says the connection was lost when the node\'s agent goes away', async () => {
    const t = await TerminalClient.open(deps(), box);
    t.type('echo "up=$((6*7))"\r');
    await t.until('up=42');
    await node.restartAgent(500);
    expect(await t.untilEnded(30_000)).toBe('the connection to default/box was lost');
  }, 60_000);
});
