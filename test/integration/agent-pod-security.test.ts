// The node's container hardening through the real API and kubelet: pods kubectl created run
// under the RuntimeDefault seccomp profile and no_new_privs unless they ask otherwise, a
// Localhost profile comes from the node's <state-dir>/seccomp, a missing one fails the container
// (CreateContainerError, the path in the message) instead of running it unconfined, and the API
// refuses a profile it does not know.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod, PodSecurityContext, SecurityContext } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let node: TestNode;
let cluster: TestCluster;
let kubectl: Kubectl;

beforeAll(async () => {
  node = await startTestNode('kls');
  cluster = node.cluster;
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
  // Allows everything but mkdir, which fails with EACCES: not what RuntimeDefault would say.
  mkdirSync(join(node.stateDir, 'seccomp', 'profiles'), { recursive: true });
  writeFileSync(join(node.stateDir, 'seccomp', 'profiles', 'no-mkdir.json'), JSON.stringify({
    defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
  }));
});

afterAll(async () => {
  await kubectl?.cleanup();
  const left = await node?.stop();
  expect(left?.containers).toEqual([]);
  expect(left?.mounts).toEqual([]);
  expect(left?.netns).toEqual([]);
});

function manifest(name: string, script: string, sc?: SecurityContext, podSc?: PodSecurityContext): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      restartPolicy: 'Never', terminationGracePeriodSeconds: 1, ...(podSc ? { securityContext: podSc } : {}),
      containers: [{ name: 'main', image: node.image, command: ['sh', '-c', script], ...(sc ? { securityContext: sc } : {}) }],
    },
  });
}

const getPod = (name: string) => cluster.client.get<Pod>(gvr.pods, 'default', name);

/** The pod's output once it succeeded. */
async function outputOf(name: string): Promise<string> {
  await waitFor(`${name} Succeeded`, async () => (await getPod(name)).status?.phase === 'Succeeded', 60_000);
  return kubectl.ok(['logs', name]);
}

// unshare(CLONE_NEWUSER) needs no capability: only seccomp refuses it to the container's root.
const probe = 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; busybox unshare -U true 2>&1; echo unshare=$?';

describe('container hardening of pods', () => {
  it('runs a pod under RuntimeDefault and no_new_privs; Unconfined and allowPrivilegeEscalation lift them', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: manifest('confined', probe) });
    await kubectl.ok(['apply', '-f', '-'], { input: manifest('unconfined', probe, { allowPrivilegeEscalation: true }, { seccompProfile: { type: 'Unconfined' } }) });
    const confined = await outputOf('confined');
    expect(confined).toMatch(/^NoNewPrivs:\s+1\nSeccomp:\s+2\n/);
    expect(confined).toMatch(/Operation not permitted\nunshare=1\n$/);
    expect(await outputOf('unconfined')).toMatch(/^NoNewPrivs:\s+0\nSeccomp:\s+0\nunshare=0\n$/);
  });

  it("applies a Localhost profile from the node's seccomp folder", async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: manifest('no-mkdir', 'mkdir /made 2>&1; echo mkdir=$?; grep "^Seccomp:" /proc/self/status', { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/no-mkdir.json' } }) });
    expect(await outputOf('no-mkdir')).toMatch(/Permission denied\nmkdir=1\nSeccomp:\s+2\n$/);
  });

  it('fails a container whose Localhost profile is missing, and says which file', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: manifest('missing', 'echo ran', undefined, { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/none.json' } }) });
    const waiting = await waitFor('missing CreateContainerError', async () => {
      const w = (await getPod('missing')).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerError' && w;
    }, 60_000);
    expect(waiting.message).toBe(`cannot load seccomp profile "${join(node.stateDir, 'seccomp', 'profiles', 'none.json')}": no such file or directory`);
    expect((await getPod('missing')).status?.phase).toBe('Pending');
    await kubectl.ok(['delete', 'pod', 'missing', '--wait=true']);
  });

  it('refuses unknown seccomp profiles and allowPrivilegeEscalation false with privileged', async () => {
    const bad = await kubectl.run(['apply', '-f', '-'], { input: manifest('bad', 'true', { seccompProfile: { type: 'Strict' } }) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.containers[0].securityContext.seccompProfile.type: Unsupported value: "Strict": supported values: "RuntimeDefault", "Unconfined", "Localhost"');
    const escalation = await kubectl.run(['apply', '-f', '-'], { input: manifest('bad', 'true', { privileged: true, allowPrivilegeEscalation: false }) });
    expect(escalation.stderr).toContain('cannot set `allowPrivilegeEscalation` to false and `privileged` to true');
    const traversal = await kubectl.run(['apply', '-f', '-'], { input: manifest('bad', 'true', undefined, { seccompProfile: { type: 'Localhost', localhostProfile: '../../etc/x.json' } }) });
    expect(traversal.stderr).toContain(`spec.securityContext.seccompProfile.localhostProfile: Invalid value: "../../etc/x.json": must not contain '..'`);
    await expect(getPod('bad')).rejects.toThrow();
  });
});
