// A pod's volumes on a real file system (root: tmpfs mounts are real): what configMap, secret and
// downwardAPI volumes contain and how an update swaps them atomically, emptyDir on disk and in
// memory, hostPath type checks, and a tear-down that leaves nothing mounted or on disk.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1';
import { mountsUnder, PodVolumes, type VolumeSources } from '../../src-main/agent/volumes/pod-volumes.ts';
import { writeAtomically } from '../../src-main/agent/volumes/atomic-writer.ts';

let dir: string;
let volumes: PodVolumes;
const configMaps = new Map<string, ConfigMap>();
const secrets = new Map<string, Secret>();
const sources: VolumeSources = {
  configMap: async (ns, name) => configMaps.get(`${ns}/${name}`),
  secret: async (ns, name) => secrets.get(`${ns}/${name}`),
  allocatable: { cpu: '4', memory: '8Gi' },
};

function pod(uid: string, volumesList: NonNullable<Pod['spec']>['volumes'], resources?: Record<string, Record<string, string>>): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid, labels: { app: 'web', tier: 'front' }, annotations: { note: 'a "quoted" value' } },
    spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'busybox', resources }], volumes: volumesList },
  };
}

const mode = (p: string) => statSync(p).mode & 0o777;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-volumes-'));
  volumes = new PodVolumes(join(dir, 'pods'));
});
afterAll(() => {
  for (const m of mountsUnder(dir).reverse()) execFileSync('umount', [m]);
  rmSync(dir, { recursive: true, force: true });
});

describe('configMap and secret volumes', () => {
  it('project every key with defaultMode, or the listed items at their paths and modes', async () => {
    configMaps.set('default/game', { data: { 'game.properties': 'lives=3\n', 'ui.properties': 'color=blue\n' }, binaryData: { 'logo.bin': Buffer.from([0, 1, 2]).toString('base64') } });
    const p = pod('uid-cm', [
      { name: 'all', configMap: { name: 'game', defaultMode: 0o400 } },
      { name: 'some', configMap: { name: 'game', items: [{ key: 'ui.properties', path: 'conf/ui.txt', mode: 0o600 }] } },
    ]);
    const mounted = await volumes.setUp(p, sources);
    const all = mounted.find((m) => m.name === 'all')!;
    expect(all.readOnly).toBe(true);
    expect(readFileSync(join(all.hostPath, 'game.properties'), 'utf8')).toBe('lives=3\n');
    expect([...readFileSync(join(all.hostPath, 'logo.bin'))]).toEqual([0, 1, 2]);
    expect(mode(join(all.hostPath, 'game.properties'))).toBe(0o400);
    expect(lstatSync(join(all.hostPath, 'game.properties')).isSymbolicLink()).toBe(true);
    const some = mounted.find((m) => m.name === 'some')!;
    expect(readdirSync(some.hostPath).filter((f) => !f.startsWith('..'))).toEqual(['conf']);
    expect(readFileSync(join(some.hostPath, 'conf/ui.txt'), 'utf8')).toBe('color=blue\n');
    expect(mode(join(some.hostPath, 'conf/ui.txt'))).toBe(0o600);
  });

  it('swaps an update in atomically: new content, removed keys gone, the old version deleted', async () => {
    const p = pod('uid-cm', [{ name: 'all', configMap: { name: 'game' } }]);
    const [before] = await volumes.setUp(p, sources);
    const oldVersion = readlinkSync(join(before.hostPath, '..data'));
    const held = readFileSync(join(before.hostPath, 'game.properties'), 'utf8');
    configMaps.set('default/game', { data: { 'game.properties': 'lives=5\n' } });
    const [after] = await volumes.setUp(p, sources);
    expect(readFileSync(join(after.hostPath, 'game.properties'), 'utf8')).toBe('lives=5\n');
    expect(existsSync(join(after.hostPath, 'ui.properties'))).toBe(false);
    expect(readlinkSync(join(after.hostPath, '..data'))).not.toBe(oldVersion);
    expect(existsSync(join(after.hostPath, oldVersion))).toBe(false);
    expect(held).toBe('lives=3\n');
    // The same content again writes nothing.
    expect(writeAtomically(after.hostPath, [{ path: 'game.properties', content: Buffer.from('lives=5\n'), mode: 0o644 }])).toBe(false);
  });

  it('refuses a missing object or key unless optional, and paths that leave the volume', async () => {
    await expect(volumes.setUp(pod('uid-bad', [{ name: 'x', configMap: { name: 'nope' } }]), sources)).rejects.toThrow('configmap "nope" not found');
    await expect(volumes.setUp(pod('uid-bad', [{ name: 'x', configMap: { name: 'game', items: [{ key: 'missing', path: 'm' }] } }]), sources)).rejects.toThrow('configmap "game" has no key "missing"');
    const [optional] = await volumes.setUp(pod('uid-bad', [{ name: 'x', configMap: { name: 'nope', optional: true } }]), sources);
    expect(readdirSync(optional.hostPath).filter((f) => !f.startsWith('..'))).toEqual([]);
    await expect(volumes.setUp(pod('uid-bad', [{ name: 'x', configMap: { name: 'game', items: [{ key: 'game.properties', path: '../escape' }] } }]), sources)).rejects.toThrow("must not contain '..'");
    expect(existsSync(join(dir, 'pods', 'uid-bad', 'volumes', 'kubernetes.io~configmap', 'escape'))).toBe(false);
  });

  it('decodes a secret', async () => {
    secrets.set('default/db', { data: { password: Buffer.from('s3cret').toString('base64') } });
    const [s] = await volumes.setUp(pod('uid-secret', [{ name: 'db', secret: { secretName: 'db' } }]), sources);
    expect(readFileSync(join(s.hostPath, 'password'), 'utf8')).toBe('s3cret');
    expect(s.hostPath).toContain('kubernetes.io~secret');
  });
});

describe('downwardAPI, emptyDir and hostPath volumes', () => {
  it('writes pod fields and container resources as the downward API formats them', async () => {
    const p = pod('uid-dapi', [{ name: 'info', downwardAPI: { items: [
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'note', fieldRef: { fieldPath: "metadata.annotations['note']" } },
      { path: 'mem', resourceFieldRef: { containerName: 'main', resource: 'limits.memory', divisor: '1Mi' } },
      { path: 'cpu', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu' } },
      { path: 'cpu-alloc', resourceFieldRef: { containerName: 'main', resource: 'requests.cpu', divisor: '1m' } },
    ] } }], { limits: { memory: '64Mi', cpu: '1500m' }, requests: { cpu: '250m' } });
    const [info] = await volumes.setUp(p, sources);
    const read = (f: string) => readFileSync(join(info.hostPath, f), 'utf8');
    expect(read('name')).toBe('web');
    expect(read('labels')).toBe('app="web"\ntier="front"');
    expect(read('note')).toBe('a "quoted" value');
    expect(read('mem')).toBe('64');
    expect(read('cpu')).toBe('2');
    expect(read('cpu-alloc')).toBe('250');
  });

  it('puts a Memory emptyDir on tmpfs with its size limit, and tear-down leaves nothing', async () => {
    const hostDir = join(dir, 'host', 'data');
    const p = pod('uid-empty', [
      { name: 'scratch', emptyDir: {} },
      { name: 'fast', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
      { name: 'host', hostPath: { path: hostDir, type: 'DirectoryOrCreate' } },
    ]);
    const mounted = await volumes.setUp(p, sources);
    const fast = mounted.find((m) => m.name === 'fast')!;
    const mountLine = readFileSync('/proc/self/mounts', 'utf8').split('\n').find((l) => l.split(' ')[1] === fast.hostPath);
    expect(mountLine).toMatch(/^tmpfs \S+ tmpfs .*size=8192k/);
    expect(statSync(hostDir).isDirectory()).toBe(true);
    await volumes.setUp(p, sources); // again: no second mount
    expect(mountsUnder(join(dir, 'pods', 'uid-empty'))).toEqual([fast.hostPath]);
    writeFileSync(join(fast.hostPath, 'x'), 'in memory');
    await volumes.tearDown('uid-empty');
    expect(mountsUnder(join(dir, 'pods'))).toEqual([]);
    expect(existsSync(join(dir, 'pods', 'uid-empty'))).toBe(false);
    expect(existsSync(hostDir)).toBe(true); // a hostPath is the node's, never removed
    await volumes.tearDown('uid-empty');
  });

  it('checks hostPath types', async () => {
    const file = join(dir, 'host', 'file.txt');
    await volumes.setUp(pod('uid-hp', [{ name: 'f', hostPath: { path: file, type: 'FileOrCreate' } }]), sources);
    expect(statSync(file).isFile()).toBe(true);
    await expect(volumes.setUp(pod('uid-hp', [{ name: 'd', hostPath: { path: file, type: 'Directory' } }]), sources)).rejects.toThrow(`hostPath type check failed: ${file} is not a directory`);
    await expect(volumes.setUp(pod('uid-hp', [{ name: 'd', hostPath: { path: file, type: 'Pipe' } }]), sources)).rejects.toThrow('hostPath type "Pipe" is not one of');
  });
});
