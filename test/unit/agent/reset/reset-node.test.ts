// The parts of agent reset that decide what is the agent's, on plain folders: which state folders
// it refuses, which pods and IPs its state names, and that a reset with nothing left does nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStateDir, resetNode } from '../../../../src-main/agent/reset/reset-node.ts';
import { countPodIPs, podUIDs } from '../../../../src-main/agent/reset/reset-steps.ts';

let work: string;
const uid = '0b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';
const other = '11111111-2222-4333-8444-555555555555';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kubelab-reset-unit-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('checkStateDir', () => {
  it('refuses the root, a file and a folder with none of what the agent makes', () => {
    expect(() => checkStateDir('/')).toThrow('--state-dir / is not an agent state folder');
    writeFileSync(join(work, 'file'), 'x');
    expect(() => checkStateDir(join(work, 'file'))).toThrow(`--state-dir ${join(work, 'file')} is not a folder`);
    mkdirSync(join(work, 'home/Documents'), { recursive: true });
    expect(() => checkStateDir(join(work, 'home'))).toThrow(/is not a Kubelab agent's state folder \(it has none of pki, images/);
  });

  it("takes a missing folder, an empty one and an agent's", () => {
    expect(() => checkStateDir(join(work, 'missing'))).not.toThrow();
    mkdirSync(join(work, 'empty'));
    expect(() => checkStateDir(join(work, 'empty'))).not.toThrow();
    mkdirSync(join(work, 'agent/pki'), { recursive: true });
    writeFileSync(join(work, 'agent/registries.yaml'), '');
    expect(() => checkStateDir(join(work, 'agent'))).not.toThrow();
  });
});

describe('what the state names', () => {
  it("pods by their volume folders and CNI results, IPs by host-local's files", () => {
    const state = join(work, 'named');
    mkdirSync(join(state, 'pods', uid), { recursive: true });
    mkdirSync(join(state, 'pods', 'not-a-uid'), { recursive: true });
    mkdirSync(join(state, 'cni/pods'), { recursive: true });
    writeFileSync(join(state, 'cni/pods', `${uid}.json`), '{}');
    writeFileSync(join(state, 'cni/pods', `${other}.json`), '{}');
    mkdirSync(join(state, 'cni/ipam/kubelab'), { recursive: true });
    for (const f of ['10.42.0.2', '10.42.0.3', 'last_reserved_ip.0', 'lock']) writeFileSync(join(state, 'cni/ipam/kubelab', f), uid);
    expect(podUIDs(state).sort()).toEqual([uid, other].sort());
    expect(countPodIPs(state)).toEqual({ removed: 'pod IPs: released 2', failed: [] });
  });

  it('a reset with nothing left removes nothing and fails at nothing', async () => {
    const report = await resetNode({ stateDir: join(work, 'gone'), cgroupParent: `/kubelab/unit-${process.pid}` });
    expect(report).toEqual({ removed: [], failed: [] });
  });
});
