import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localhostProfilePath, readLocalhostProfile } from '../../../../src-main/agent/runtime/seccomp-localhost.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kubelab-seccomp-'));
  await mkdir(join(root, 'profiles'));
  await writeFile(join(root, 'profiles/audit.json'), JSON.stringify({ defaultAction: 'SCMP_ACT_LOG' }));
  await writeFile(join(root, 'broken.json'), '{"defaultAction": ');
  await writeFile(join(root, 'empty.json'), '{}');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('Localhost seccomp profiles', () => {
  it('reads the file under the seccomp root', async () => {
    expect(await readLocalhostProfile(root, 'profiles/audit.json')).toEqual({ defaultAction: 'SCMP_ACT_LOG' });
  });

  it('fails the container clearly when the file is missing or wrong', async () => {
    await expect(readLocalhostProfile(root, 'profiles/none.json')).rejects.toThrow(`cannot load seccomp profile "${join(root, 'profiles/none.json')}": no such file or directory`);
    await expect(readLocalhostProfile(root, 'profiles/none.json')).rejects.toMatchObject({ reason: 'CreateContainerError' });
    await expect(readLocalhostProfile(root, 'broken.json')).rejects.toThrow(/^decoding seccomp profile failed ".*broken.json": /);
    await expect(readLocalhostProfile(root, 'empty.json')).rejects.toThrow(/no defaultAction/);
  });

  it('never leaves the root', () => {
    expect(() => localhostProfilePath(root, '/etc/passwd')).toThrow('must be a relative path without ".."');
    expect(() => localhostProfilePath(root, 'profiles/../../x.json')).toThrow('must be a relative path without ".."');
    expect(() => localhostProfilePath(root, undefined)).toThrow('seccomp profile type Localhost needs a localhostProfile');
    expect(localhostProfilePath('/var/lib/kubelab/seccomp', 'a/b.json')).toBe('/var/lib/kubelab/seccomp/a/b.json');
  });
});
