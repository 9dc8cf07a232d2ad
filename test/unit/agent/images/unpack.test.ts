import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerCompression } from '../../../../src-main/agent/images/manifest.ts';
import { isOpaque } from '../../../../src-main/agent/images/overlay-marks.ts';
import { unpackLayer } from '../../../../src-main/agent/images/unpack.ts';
import { sha256 } from '../../../fixtures/images/busybox-image.ts';
import { buildTar, type TarInput } from '../../../fixtures/images/tar-writer.ts';

let work: string;
let n = 0;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kubelab-unpack-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Writes the layer blob and unpacks it; returns the layer dir. */
async function unpack(entries: TarInput[], compression: LayerCompression = 'gzip', diffID?: string): Promise<string> {
  const tar = buildTar(entries);
  const blob = join(work, `blob-${++n}`);
  if (compression === 'gzip') writeFileSync(blob, gzipSync(tar));
  else if (compression === 'zstd') writeFileSync(blob, execFileSync('zstd', ['-q', '-c'], { input: tar }));
  else writeFileSync(blob, tar);
  const dest = join(work, `layer-${n}`);
  await unpackLayer(blob, dest, { compression, diffID: diffID ?? sha256(tar) });
  return dest;
}

async function refused(entries: TarInput[], message: RegExp, diffID?: string): Promise<void> {
  const before = readdirSync(work).length;
  await expect(unpack(entries, 'gzip', diffID)).rejects.toMatchObject({ reason: 'ErrImagePull', message });
  // Nothing half-unpacked stays behind: only the blob file was added.
  expect(readdirSync(work).length).toBe(before + 1);
  expect(existsSync(join(work, `layer-${n}`))).toBe(false);
}

const mtime = 1_600_000_000;

describe('unpackLayer', () => {
  it('unpacks files, dirs and symlinks with modes, owners and mtimes', async () => {
    const dir = await unpack([
      { path: 'usr/', type: 'dir', mode: 0o755, mtime },
      { path: 'usr/bin/tool', data: 'tool', mode: 0o4755, uid: 1000, gid: 1001, mtime },
      { path: 'tmp', type: 'dir', mode: 0o1777, mtime },
      { path: 'etc/localtime', type: 'symlink', linkpath: '/usr/share/zoneinfo/UTC', mtime },
      { path: './etc/rel', type: 'symlink', linkpath: '../usr/bin/tool' },
    ]);
    const tool = statSync(join(dir, 'usr/bin/tool'));
    expect(readFileSync(join(dir, 'usr/bin/tool'), 'utf8')).toBe('tool');
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect([tool.uid, tool.gid]).toEqual([1000, 1001]);
    expect(tool.mtimeMs).toBe(mtime * 1000);
    expect(statSync(join(dir, 'tmp')).mode & 0o7777).toBe(0o1777);
    // The dir's mtime holds even though files were written into it afterwards.
    expect(statSync(join(dir, 'usr')).mtimeMs).toBe(mtime * 1000);
    expect(readlinkSync(join(dir, 'etc/localtime'))).toBe('/usr/share/zoneinfo/UTC');
    expect(lstatSync(join(dir, 'etc/localtime')).mtimeMs).toBe(mtime * 1000);
    expect(readlinkSync(join(dir, 'etc/rel'))).toBe('../usr/bin/tool');
    // Implicit parents are made 0755.
    expect(statSync(join(dir, 'usr/bin')).mode & 0o7777).toBe(0o755);
  });

  it('hardlinks share the inode of an earlier entry', async () => {
    const dir = await unpack([
      { path: 'a/file', data: 'same' },
      { path: 'b/link', type: 'hardlink', linkpath: 'a/file' },
    ]);
    expect(statSync(join(dir, 'b/link')).ino).toBe(statSync(join(dir, 'a/file')).ino);
    expect(readFileSync(join(dir, 'b/link'), 'utf8')).toBe('same');
  });

  it('turns .wh. entries into overlay whiteouts and .wh..wh..opq into an opaque dir', async () => {
    const dir = await unpack([
      { path: 'etc/.wh.motd' },
      { path: 'data/.wh..wh..opq' },
      { path: 'data/new', data: 'n' },
      { path: '.wh..wh.plnk/123', data: '' },
    ]);
    const wh = lstatSync(join(dir, 'etc/motd'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect(existsSync(join(dir, 'etc/.wh.motd'))).toBe(false);
    expect(await isOpaque(join(dir, 'data'))).toBe(true);
    expect(await isOpaque(join(dir, 'etc'))).toBe(false);
    expect(readdirSync(join(dir, 'data'))).toEqual(['new']);
  });

  it('a later entry replaces an earlier one (tar order wins)', async () => {
    const dir = await unpack([
      { path: 'x', data: 'file first' },
      { path: 'x', type: 'dir' },
      { path: 'x/y', data: 'inside' },
      { path: 'z', type: 'symlink', linkpath: 'x' },
      { path: 'z', data: 'now a file' },
    ]);
    expect(readFileSync(join(dir, 'x/y'), 'utf8')).toBe('inside');
    expect(readFileSync(join(dir, 'z'), 'utf8')).toBe('now a file');
  });

  it('strips leading slashes and resolves .. that stays inside', async () => {
    const dir = await unpack([
      { path: '/abs/file', data: 'a' },
      { path: 'abs/sub/../other', data: 'b' },
    ]);
    expect(readFileSync(join(dir, 'abs/file'), 'utf8')).toBe('a');
    expect(readFileSync(join(dir, 'abs/other'), 'utf8')).toBe('b');
  });

  it('unpacks plain and zstd tars', async () => {
    const plain = await unpack([{ path: 'p', data: 'plain' }], 'none');
    expect(readFileSync(join(plain, 'p'), 'utf8')).toBe('plain');
    const zstd = await unpack([{ path: 'z', data: 'zstd' }], 'zstd');
    expect(readFileSync(join(zstd, 'z'), 'utf8')).toBe('zstd');
  });

  it('refuses entries that escape the layer', async () => {
    const outside = join(work, 'escaped');
    await refused([{ path: '../escaped', data: 'x' }], /entry "..\/escaped" escapes the layer/);
    await refused([{ path: 'a/../../escaped', data: 'x' }], /escapes the layer/);
    await refused(
      [
        { path: 'link', type: 'symlink', linkpath: work },
        { path: 'link/escaped', data: 'x' },
      ],
      /entry "link\/escaped" goes through the symlink link/,
    );
    await refused([{ path: 'h', type: 'hardlink', linkpath: '../../etc/passwd' }], /escapes the layer/);
    await refused(
      [
        { path: 'l', type: 'symlink', linkpath: '/etc' },
        { path: 'h', type: 'hardlink', linkpath: 'l/passwd' },
      ],
      /goes through the symlink l/,
    );
    expect(existsSync(outside)).toBe(false);
  });

  it('refuses a hardlink to something not earlier in the layer', async () => {
    await refused([{ path: 'h', type: 'hardlink', linkpath: 'missing' }], /target is not a file earlier in this layer/);
  });

  it('refuses a layer whose content does not match its diffID', async () => {
    await refused([{ path: 'f', data: 'x' }], /diffID mismatch: the image config says sha256:0{64}, the layer is sha256:/, `sha256:${'0'.repeat(64)}`);
  });

  it('refuses a truncated layer', async () => {
    const tar = buildTar([{ path: 'f', data: randomBytes(5000) }]);
    const blob = join(work, 'truncated');
    writeFileSync(blob, gzipSync(tar).subarray(0, 2000));
    const dest = join(work, 'truncated-layer');
    await expect(unpackLayer(blob, dest, { compression: 'gzip', diffID: sha256(tar) })).rejects.toMatchObject({
      message: /unpacking layer sha256:[0-9a-f]{64}: (unexpected end of file|tar archive truncated)/,
    });
    expect(existsSync(dest)).toBe(false);
  });
});
