// The upstream documentation's example manifests must apply unchanged, and kubectl >= 1.25
// sends them with fieldValidation=Strict: not one field of them may be reported.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { checkFields } from '../../../../src-main/api/openapi/field-check.ts';

const examples = fileURLToPath(new URL('../../../../../shared/k8s-examples', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []);
}

describe.skipIf(!existsSync(examples))('checkFields on the upstream example manifests', () => {
  it('finds no unknown fields and no type errors in any of them', () => {
    const reports: string[] = [];
    let checked = 0;
    for (const file of yamlFiles(examples)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const obj = doc.toJS() as { apiVersion?: string; kind?: string } | null;
        if (!obj?.apiVersion || !obj.kind) continue;
        const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
        const { unknown, typeErrors } = checkFields(group, version, obj.kind, obj);
        checked++;
        if (unknown.length || typeErrors.length) reports.push(`${file} ${obj.kind}: ${[...unknown, ...typeErrors].join('; ')}`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(reports).toEqual([]);
  });
});
