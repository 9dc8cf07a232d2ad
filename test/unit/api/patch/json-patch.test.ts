import { describe, expect, it } from 'vitest';
import { applyJSONPatch, maxJSONPatchOperations } from '../../../../src-main/api/patch/json-patch.ts';
import { PatchError } from '../../../../src-main/api/patch/patch-error.ts';

function failure(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PatchError);
    return e as PatchError;
  }
  throw new Error('expected a PatchError');
}

const pod = () => ({
  metadata: { name: 'p', labels: { app: 'web' }, annotations: { 'example.com/a~b': 'x' } },
  spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'redis' }] },
});

describe('applyJSONPatch (RFC 6902)', () => {
  it('adds members, inserts into lists and appends with "-"', () => {
    const out = applyJSONPatch(pod(), [
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'add', path: '/spec/containers/1', value: { name: 'mid', image: 'busybox' } },
      { op: 'add', path: '/spec/containers/-', value: { name: 'last', image: 'alpine' } },
    ]) as ReturnType<typeof pod>;
    expect(out.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    expect(out.spec.containers.map((c) => c.name)).toEqual(['a', 'mid', 'b', 'last']);
  });

  it('add replaces an existing member and may insert at the end index', () => {
    const out = applyJSONPatch({ a: 1, l: [1] }, [
      { op: 'add', path: '/a', value: 2 },
      { op: 'add', path: '/l/1', value: 2 },
    ]);
    expect(out).toEqual({ a: 2, l: [1, 2] });
  });

  it('decodes ~1 and ~0 in pointers', () => {
    const out = applyJSONPatch({ 'a/b': { 'c~d': 1 } }, [{ op: 'replace', path: '/a~1b/c~0d', value: 2 }]);
    expect(out).toEqual({ 'a/b': { 'c~d': 2 } });
    const ann = applyJSONPatch(pod(), [{ op: 'remove', path: '/metadata/annotations/example.com~1a~0b' }]) as ReturnType<typeof pod>;
    expect(ann.metadata.annotations).toEqual({});
  });

  it('removes, replaces, moves and copies', () => {
    const out = applyJSONPatch(pod(), [
      { op: 'remove', path: '/spec/containers/0' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'redis:7' },
      { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
      { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/name' },
    ]);
    expect(out).toEqual({
      metadata: { name: 'p', labels: { name: 'web' }, annotations: { app: 'web' } },
      spec: { containers: [{ name: 'b', image: 'redis:7' }] },
    });
  });

  it('copies by value: changing the copy leaves the source alone', () => {
    const out = applyJSONPatch({ a: { x: 1 } }, [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'replace', path: '/b/x', value: 2 },
    ]);
    expect(out).toEqual({ a: { x: 1 }, b: { x: 2 } });
  });

  it('follows upstream where it departs from the RFC: replace and copy of an absent member', () => {
    // The library kube-apiserver uses reads an absent member as null instead of failing.
    expect(applyJSONPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }])).toEqual({ a: 1, b: 2 });
    expect(applyJSONPatch({ a: 1 }, [{ op: 'copy', from: '/nope', path: '/b' }])).toEqual({ a: 1, b: null });
  });

  it('replaces the whole document with path ""', () => {
    expect(applyJSONPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }, { op: 'add', path: '/c', value: 3 }])).toEqual({ b: 2, c: 3 });
  });

  it('accepts negative indices counting from the end, as upstream does', () => {
    expect(applyJSONPatch({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/-1' }])).toEqual({ l: [1, 2] });
  });

  it('passes a matching test and applies the rest; a null test matches an absent member', () => {
    const out = applyJSONPatch(pod(), [
      { op: 'test', path: '/metadata/name', value: 'p' },
      { op: 'test', path: '/spec/containers/0', value: { image: 'nginx', name: 'a' } },
      { op: 'test', path: '/metadata/missing', value: null },
      { op: 'replace', path: '/metadata/name', value: 'q' },
    ]) as ReturnType<typeof pod>;
    expect(out.metadata.name).toBe('q');
  });

  it('answers 422 with upstream messages for operations that cannot apply', () => {
    const cases: [unknown[], string][] = [
      [[{ op: 'test', path: '/metadata/name', value: 'other' }], 'testing value /metadata/name failed: test failed'],
      [[{ op: 'add', path: '/nope/x', value: 1 }], 'add operation does not apply: doc is missing path: "/nope/x": missing value'],
      [[{ op: 'remove', path: '/metadata/nope' }], "error in remove for path: '/metadata/nope': Unable to remove nonexistent key: nope: missing value"],
      [[{ op: 'remove', path: '/nope/x' }], 'remove operation does not apply: doc is missing path: "/nope/x": missing value'],
      [[{ op: 'replace', path: '/spec/containers/7', value: 1 }], 'replace operation does not apply: doc is missing key: /spec/containers/7: missing value'],
      [[{ op: 'replace', path: '/nope/x', value: 1 }], 'replace operation does not apply: doc is missing path: /nope/x: missing value'],
      [[{ op: 'move', from: '/metadata/nope', path: '/b' }], "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value"],
      [[{ op: 'remove', path: '/spec/containers/-' }], `error in remove for path: '/spec/containers/-': strconv.Atoi: parsing "-": invalid syntax`],
      [[{ op: 'test', path: '/spec/containers/9', value: 1 }], "error in test for path: '/spec/containers/9': Unable to access invalid index: 9: invalid index referenced"],
      [[{ op: 'replace', value: 1 }], 'replace operation failed to decode path: operation missing path field: missing value'],
      [[{ op: 'test', path: 3, value: 1 }], 'test operation failed to decode path: json: cannot unmarshal number into Go value of type string'],
      [[{ op: 'move', path: '/a' }], 'move operation failed to decode from: operation, missing from field: missing value'],
      [[{ op: 'replace', path: '', value: 'x' }], 'replace operation value must be object or array: %!w(<nil>)'],
      [[{ op: 'add', path: '/spec/containers/5', value: {} }], "error in add for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced"],
      [[{ op: 'add', path: '/spec/containers/x', value: {} }], `error in add for path: '/spec/containers/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`],
      [[{ op: 'move', from: '/nope/a', path: '/b' }], 'move operation does not apply: doc is missing from path: /nope/a: missing value'],
      [[{ op: 'copy', from: '/metadata/name', path: '/nope/b' }], 'copy operation does not apply: doc is missing destination path: /nope/b: missing value'],
      [[{ op: 'frobnicate', path: '/a' }], 'Unexpected kind: frobnicate'],
      [[{ path: '/a' }], 'Unexpected kind: unknown'],
      [[{ op: 'add', value: 1 }], 'add operation failed to decode path: missing value'],
      [[{ op: 'add', path: 'metadata', value: 1 }], 'add operation does not apply: doc is missing path: "metadata": missing value'],
    ];
    for (const [ops, message] of cases) {
      const e = failure(() => applyJSONPatch(pod(), ops));
      expect(e.status).toBe(422);
      expect(e.message).toBe(message);
    }
  });

  it('answers a failing test as kube-apiserver does: 422 Invalid with the detail in a cause', () => {
    const e = failure(() => applyJSONPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'x' }]));
    expect(e.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: { causes: [{ reason: 'UnexpectedServerResponse', message: 'testing value /metadata/name failed: test failed' }] },
      code: 422,
    });
  });

  it('applies all operations or none', () => {
    const target = pod();
    expect(() =>
      applyJSONPatch(target, [
        { op: 'replace', path: '/metadata/name', value: 'q' },
        { op: 'test', path: '/metadata/name', value: 'p' },
      ]),
    ).toThrow(PatchError);
    expect(target.metadata.name).toBe('p');
  });

  it('answers 400 for a document that is not a list of operations', () => {
    for (const body of [{ op: 'add' }, 'x', 3, true, ['not an op']]) {
      const e = failure(() => applyJSONPatch(pod(), body));
      expect(e.status).toBe(400);
      expect(e.reason).toBe('BadRequest');
    }
    expect(failure(() => applyJSONPatch(pod(), { op: 'add' })).message).toBe('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  });

  it('treats a null body as an empty patch', () => {
    expect(applyJSONPatch(pod(), null)).toEqual(pod());
  });

  it('answers 413 above the operation limit', () => {
    const ops = Array.from({ length: maxJSONPatchOperations + 1 }, () => ({ op: 'test', path: '/metadata/name', value: 'p' }));
    const e = failure(() => applyJSONPatch(pod(), ops));
    expect(e.status).toBe(413);
    expect(e.reason).toBe('RequestEntityTooLarge');
  });

  it('does not change its inputs', () => {
    const target = pod();
    const value = { name: 'c', image: 'x', env: [{ name: 'A' }] };
    const ops = [{ op: 'add', path: '/spec/containers/-', value }];
    const before = [JSON.stringify(target), JSON.stringify(ops)];
    const out = applyJSONPatch(target, ops) as any;
    out.spec.containers[2].env[0].name = 'changed';
    expect([JSON.stringify(target), JSON.stringify(ops)]).toEqual(before);
  });
});
