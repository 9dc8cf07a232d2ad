import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostDevices } from '../../../../src-main/agent/runtime/host-devices.ts';

let dev: string;
const mknod = (path: string, type: 'c' | 'b', major: number, minor: number) => execFileSync('mknod', [path, type, String(major), String(minor)]);

beforeAll(async () => {
  dev = await mkdtemp(join(tmpdir(), 'kubelab-dev-'));
  mknod(join(dev, 'kmsg'), 'c', 1, 11);
  await chmod(join(dev, 'kmsg'), 0o644);
  mknod(join(dev, 'loop0'), 'b', 7, 0);
  // Numbers past 8 bits of minor and 12 of major, split as glibc's makedev does.
  mknod(join(dev, 'big'), 'c', 4095, 1048575);
  await mkdir(join(dev, 'net'));
  mknod(join(dev, 'net', 'tun'), 'c', 10, 200);
  // The container has its own of these.
  await mkdir(join(dev, 'pts'));
  mknod(join(dev, 'pts', '0'), 'c', 136, 0);
  mknod(join(dev, 'console'), 'c', 5, 1);
  // Not devices.
  await symlink('/proc/self/fd/0', join(dev, 'stdin'));
  await writeFile(join(dev, 'file'), '');
});
afterAll(() => rm(dev, { recursive: true, force: true }));

describe("the node's devices for a privileged container", () => {
  it('lists character and block devices, with numbers and modes, but not pts, console or non-devices', async () => {
    const devices = await hostDevices(dev);
    expect(devices.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: join(dev, 'big'), type: 'c', major: 4095, minor: 1048575, fileMode: expect.any(Number), uid: 0, gid: 0 },
      { path: join(dev, 'kmsg'), type: 'c', major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0 },
      { path: join(dev, 'loop0'), type: 'b', major: 7, minor: 0, fileMode: expect.any(Number), uid: 0, gid: 0 },
      { path: join(dev, 'net', 'tun'), type: 'c', major: 10, minor: 200, fileMode: expect.any(Number), uid: 0, gid: 0 },
    ]);
  });

  it('is empty for a folder that is not there', async () => {
    expect(await hostDevices(join(dev, 'none'))).toEqual([]);
  });
});
