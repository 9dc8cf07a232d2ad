// The palette's ranking: whole, prefix and word-start matches before substrings and scattered
// letters, the limit kept, and fast enough over 20,000 pods.
import { describe, expect, it } from 'vitest';
import { fuzzyMatch, rank } from '../../../src-renderer/lib/fuzzy.ts';

const names = (query: string, items: string[], limit?: number) => rank(query, items, (s) => s, limit).map((r) => r.item);

describe('fuzzy ranking', () => {
  it('matches letters in order, anywhere, and nothing else', () => {
    expect(fuzzyMatch('wb', 'web-7f9c')?.positions).toEqual([0, 2]);
    expect(fuzzyMatch('WEB', 'my-web')?.positions).toEqual([3, 4, 5]);
    expect(fuzzyMatch('bw', 'web')).toBeUndefined();
    expect(fuzzyMatch('x', 'web')).toBeUndefined();
  });

  it('puts the exact name, then prefixes, then word starts, then substrings, then scattered letters', () => {
    const items = ['a-web-b', 'cobweb', 'w-e-b', 'web-frontend', 'web', 'webserver', 'my-web'];
    expect(names('web', items)).toEqual(['web', 'webserver', 'web-frontend', 'a-web-b', 'my-web', 'cobweb', 'w-e-b']);
  });

  it('prefers word starts among scattered matches', () => {
    expect(names('kp', ['kube-proxy', 'kubelab-keeper'])[0]).toBe('kube-proxy');
  });

  it('keeps only the best ones, in order, and an empty query keeps the items order', () => {
    expect(names('', ['b', 'a', 'c'], 2)).toEqual(['b', 'a']);
    expect(names('ab', ['xaxb', 'ab1', 'ab', 'zab'], 2)).toEqual(['ab', 'ab1']);
  });

  it('ranks 20,000 pods in one pass', () => {
    const pods = Array.from({ length: 20_000 }, (_, i) => `default/web-${i.toString(36)}-pod`);
    pods.push('default/needle-in-haystack');
    const found = rank('needle', pods, (s) => s, 20);
    expect(found[0]!.item).toBe('default/needle-in-haystack');
    expect(rank('web-zz', pods, (s) => s, 20).length).toBeLessThanOrEqual(20);
  });
});
