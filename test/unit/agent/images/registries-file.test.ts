// The node's registries.yaml: read when present, absent is fine unless named, and a wrong file
// is refused with one line that names the file and the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRegistriesFile } from '../../../../src-main/agent/images/registries-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubelab-registries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string): string {
  const path = join(dir, `r-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('registries.yaml', () => {
  it('reads mirrors and configs', () => {
    const path = file('mirrors:\n  docker.io:\n    endpoint: ["http://127.0.0.1:5000"]\nconfigs:\n  "127.0.0.1:5000":\n    auth: {username: a, password: b}\n');
    expect(readRegistriesFile(path, true)).toEqual({
      mirrors: { 'docker.io': { endpoint: ['http://127.0.0.1:5000'] } },
      configs: { '127.0.0.1:5000': { auth: { username: 'a', password: 'b' } } },
    });
  });

  it('is optional unless named', () => {
    expect(readRegistriesFile(join(dir, 'none.yaml'), false)).toBeUndefined();
    expect(() => readRegistriesFile(join(dir, 'none.yaml'), true)).toThrow(`registry config ${join(dir, 'none.yaml')}: no such file`);
  });

  it('refuses a wrong file with the field', () => {
    expect(() => readRegistriesFile(file('mirrors:\n  docker.io:\n    endpoint: ["ftp://x"]\n'), true)).toThrow(/: mirrors\.docker\.io\.endpoint must be a list of http:\/\/ or https:\/\/ URLs$/);
    expect(() => readRegistriesFile(file('- a\n- b\n'), true)).toThrow(/: must be a mapping with mirrors and configs$/);
    expect(() => readRegistriesFile(file('mirrors: [\n'), true)).toThrow(/^registry config .*: /);
    expect(() => readRegistriesFile(file('configs:\n  x: 3\n'), true)).toThrow(/: configs\.x must be a mapping \(tls, auth\)$/);
  });
});
