import { describe, expect, it } from 'vitest';
import { applyJSONMergePatch } from '../../../../src-main/api/patch/json-merge-patch.ts';

describe('applyJSONMergePatch (RFC 7386)', () => {
  // The examples of RFC 7386 appendix A.
  const rfcCases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(rfcCases)('%j + %j', (target, patch, expected) => {
    expect(applyJSONMergePatch(target, patch)).toEqual(expected);
  });

  it('patches a pod: labels merge, a label set to null goes, lists are replaced whole', () => {
    const pod = {
      metadata: { name: 'p', labels: { app: 'web', tier: 'front' } },
      spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'redis' }] },
    };
    const out = applyJSONMergePatch(pod, { metadata: { labels: { tier: null, env: 'prod' } }, spec: { containers: [{ name: 'a', image: 'nginx:2' }] } });
    expect(out).toEqual({
      metadata: { name: 'p', labels: { app: 'web', env: 'prod' } },
      spec: { containers: [{ name: 'a', image: 'nginx:2' }] },
    });
  });

  it('stores no nulls from objects inside a replacing value', () => {
    expect(applyJSONMergePatch({ a: 1 }, { b: { c: null, d: [{ e: null, f: 1 }] } })).toEqual({ a: 1, b: { d: [{ f: 1 }] } });
  });

  it('does not change its inputs, and the result shares nothing with them', () => {
    const target = { a: { b: 1 }, keep: { deep: [1] } };
    const patch = { a: { c: { d: 2 } }, x: [{ y: 1 }] };
    const before = [JSON.stringify(target), JSON.stringify(patch)];
    const out = applyJSONMergePatch(target, patch) as Record<string, any>;
    expect([JSON.stringify(target), JSON.stringify(patch)]).toEqual(before);
    out.keep.deep.push(2);
    out.a.c.d = 3;
    out.x[0].y = 9;
    expect([JSON.stringify(target), JSON.stringify(patch)]).toEqual(before);
  });

  it('treats "__proto__" as an ordinary member name', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}');
    const out = applyJSONMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
  });
});
