import { describe, expect, it } from 'vitest';
import { schemaFor } from '../../../../src-main/api/openapi/spec.ts';
import { acceptedPatchTypes, applyPatch, isPatchType, PatchError, unsupportedPatchType } from '../../../../src-main/api/patch/index.ts';

const cm = () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['a'] }, data: { a: '1', b: '2' } });
const cmSchema = schemaFor('', 'v1', 'ConfigMap');

function failure(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PatchError);
    return e as PatchError;
  }
  throw new Error('expected a PatchError');
}

describe('applyPatch', () => {
  it('dispatches on the content type', () => {
    expect(applyPatch('application/json-patch+json', cm(), [{ op: 'remove', path: '/data/a' }], cmSchema)).toMatchObject({ data: { b: '2' } });
    // A merge patch replaces lists; a strategic merge patch merges finalizers (strategy merge).
    expect(applyPatch('application/merge-patch+json', cm(), { metadata: { finalizers: ['b'] } }, cmSchema)).toMatchObject({ metadata: { finalizers: ['b'] } });
    const smp = applyPatch('application/strategic-merge-patch+json', cm(), { metadata: { finalizers: ['b'] } }, cmSchema) as ReturnType<typeof cm>;
    expect([...smp.metadata.finalizers].sort()).toEqual(['a', 'b']);
  });

  it('refuses a JSON patch that turns the object into something else with 422', () => {
    const e = failure(() => applyPatch('application/json-patch+json', cm(), [{ op: 'replace', path: '', value: [1] }], cmSchema));
    expect(e.status).toBe(422);
  });

  it('merge patches work without a schema (custom resources)', () => {
    expect(applyPatch('application/merge-patch+json', { spec: { a: 1 } }, { spec: { b: 2 } }, undefined)).toEqual({ spec: { a: 1, b: 2 } });
  });

  it('refuses strategic merge patch without a schema with 415, as upstream does for custom resources', () => {
    const e = failure(() => applyPatch('application/strategic-merge-patch+json', { spec: {} }, { spec: { a: 1 } }, undefined));
    expect(e.status).toBe(415);
    expect(e.toStatus()).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    });
  });

  it('refuses a merge patch that is not an object with 400', () => {
    for (const body of [null, 'x', 3, ['a']]) {
      const e = failure(() => applyPatch('application/merge-patch+json', cm(), body, cmSchema));
      expect([e.status, e.message]).toEqual([400, 'Invalid JSON Patch']);
    }
  });

  it('refuses unknown content types with 415 listing the accepted ones', () => {
    const e = failure(() => applyPatch('text/plain' as never, cm(), {}, cmSchema));
    expect(e.status).toBe(415);
    expect(e.message).toContain('application/strategic-merge-patch+json');
    expect(unsupportedPatchType(true).message).toContain('application/strategic-merge-patch+json');
    expect(acceptedPatchTypes(false)).not.toContain('application/strategic-merge-patch+json');
    expect(isPatchType('application/merge-patch+json')).toBe(true);
    expect(isPatchType('application/apply-patch+yaml')).toBe(false);
  });

  it('400 answers carry the message itself, as NewBadRequest does', () => {
    const e = failure(() => applyPatch('application/json-patch+json', cm(), { op: 'add' }, cmSchema));
    expect(e.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
      reason: 'BadRequest',
      code: 400,
    });
  });
});
