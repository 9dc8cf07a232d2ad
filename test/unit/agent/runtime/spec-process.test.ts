import { describe, expect, it } from 'vitest';
import { containerEnv, mergeEnv, processArgs, workingDir } from '../../../../src-main/agent/runtime/spec-process.ts';

const image = { entrypoint: ['/entry', '--flag'], cmd: ['serve', '--port=80'] };
const none = new Map<string, string>();

describe('command and args (Kubernetes: "Define a command and arguments")', () => {
  it('uses the image ENTRYPOINT and CMD when neither is given', () => {
    expect(processArgs(undefined, undefined, image, none)).toEqual(['/entry', '--flag', 'serve', '--port=80']);
    expect(processArgs([], [], image, none)).toEqual(['/entry', '--flag', 'serve', '--port=80']);
  });

  it('command replaces ENTRYPOINT and drops CMD', () => {
    expect(processArgs(['/bin/sh', '-c'], undefined, image, none)).toEqual(['/bin/sh', '-c']);
  });

  it('args alone replace CMD and keep ENTRYPOINT', () => {
    expect(processArgs(undefined, ['other'], image, none)).toEqual(['/entry', '--flag', 'other']);
  });

  it('command and args both: the image is ignored', () => {
    expect(processArgs(['echo'], ['hi'], image, none)).toEqual(['echo', 'hi']);
  });

  it('works with images that have only a CMD or nothing', () => {
    expect(processArgs(undefined, undefined, { cmd: ['sh'] }, none)).toEqual(['sh']);
    expect(processArgs(undefined, ['x'], { cmd: ['sh'] }, none)).toEqual(['x']);
    expect(processArgs(undefined, undefined, {}, none)).toEqual([]);
  });

  it('expands $(VAR) from the container env in command and args, not from the image env', () => {
    const env = new Map([['MESSAGE', 'hello'], ['PORT', '8080']]);
    expect(processArgs(['echo', '$(MESSAGE)'], ['--port=$(PORT)', '$(HOME)', '$$(PORT)'], image, env))
      .toEqual(['echo', 'hello', '--port=8080', '$(HOME)', '$(PORT)']);
    // The image's own args are taken as they are.
    expect(processArgs(undefined, undefined, { cmd: ['$(MESSAGE)'] }, env)).toEqual(['$(MESSAGE)']);
  });
});

describe('environment', () => {
  it('keeps the resolved variables in order, a later name replacing an earlier one in place', () => {
    const env = containerEnv([
      { name: 'MODE', value: 'from-configmap' },
      { name: 'OLD', value: 'from-configmap' },
      { name: 'MODE', value: 'explicit' },
    ]);
    expect([...env]).toEqual([['MODE', 'explicit'], ['OLD', 'from-configmap']]);
  });

  it('merges over the image env: same names replaced where they stand, new ones appended', () => {
    const env = new Map([['PATH', '/custom'], ['APP', '1']]);
    expect(mergeEnv(['PATH=/usr/bin:/bin', 'LANG=C.UTF-8', 'EMPTY'], env)).toEqual(['PATH=/custom', 'LANG=C.UTF-8', 'EMPTY', 'APP=1']);
    expect(mergeEnv(null, env)).toEqual(['PATH=/custom', 'APP=1']);
    expect(mergeEnv(['A=1=2'], new Map([['A', 'x=y']]))).toEqual(['A=x=y']);
  });
});

describe('working dir', () => {
  it('takes the container, then the image, then /', () => {
    expect(workingDir('/work', { workingDir: '/app' })).toBe('/work');
    expect(workingDir(undefined, { workingDir: '/app' })).toBe('/app');
    expect(workingDir('', {})).toBe('/');
  });
});
