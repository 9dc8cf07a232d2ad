import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayOptions, removeRootfs, rootfsPaths } from '../../../../src-main/agent/runtime/rootfs.ts';
import { readInRoot, readUserDb } from '../../../../src-main/agent/runtime/user-db.ts';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'kubelab-rootfs-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('overlay rootfs', () => {
  it('names the container dirs and the mount options, top layer first', () => {
    const paths = rootfsPaths('/c/1');
    expect(paths).toEqual({ rootfs: '/c/1/rootfs', upperdir: '/c/1/upper', workdir: '/c/1/work' });
    expect(overlayOptions(['/l/top', '/l/base'], paths)).toBe('lowerdir=/l/top:/l/base,upperdir=/c/1/upper,workdir=/c/1/work');
  });

  it('refuses what overlayfs options cannot express', () => {
    expect(() => overlayOptions([], rootfsPaths('/c/1'))).toThrow(/at least one lower dir/);
    expect(() => overlayOptions(['/l/a:b'], rootfsPaths('/c/1'))).toThrow(/contains ':' or ','/);
    expect(() => overlayOptions(['/l'], rootfsPaths('/c/x,y'))).toThrow(/contains/);
  });

  it('removes an unmounted container dir, and a missing one without complaint', async () => {
    const dir = path.join(base, 'gone');
    await mkdir(path.join(dir, 'upper'), { recursive: true });
    await removeRootfs(dir);
    await removeRootfs(dir);
  });
});

describe('user database of a rootfs', () => {
  it('reads /etc/passwd and /etc/group, following links inside the rootfs only', async () => {
    const root = path.join(base, 'root');
    const outside = path.join(base, 'outside');
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await mkdir(path.join(root, 'data'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(root, 'data/passwd'), 'inside\n');
    await writeFile(path.join(outside, 'passwd'), 'host secret\n');
    // An absolute link resolves inside the rootfs, as it would in the container.
    await symlink('/data/passwd', path.join(root, 'etc/passwd'));
    expect(await readUserDb(root)).toEqual({ passwd: 'inside\n', group: undefined });
    // ".." cannot climb out of the rootfs, also through a linked directory.
    await symlink(`../../../../../..${outside}`, path.join(root, 'up'));
    expect(await readInRoot(root, '/up/passwd')).toBeUndefined();
    await symlink('/', path.join(root, 'self'));
    expect(await readInRoot(root, '/self/self/data/passwd')).toBe('inside\n');
    // A loop ends.
    await symlink('/loop', path.join(root, 'loop'));
    expect(await readInRoot(root, '/loop')).toBeUndefined();
  });
});
