// The renderer's stores apply batches in place: the pod rows stay in kubectl's -A order through
// adds, updates and deletes, and readers see a new `items` after every batch.
import type { Pod } from 'kubernetes-types/core/v1';
import { describe, expect, it } from 'vitest';
import type { Change } from '../../../src-main/bridge/protocol.ts';
import { KindStore } from '../../../src-renderer/lib/kind-store.svelte.ts';
import { podFilter } from '../../../src-renderer/lib/pod-filter.ts';
import { PodsState } from '../../../src-renderer/lib/pods.svelte.ts';
import type { Transport } from '../../../src-renderer/lib/transport/transport.ts';

function pod(namespace: string, name: string, extra: { restarts?: number; labels?: Record<string, string>; node?: string } = {}): Pod {
  return {
    metadata: { namespace, name, uid: `uid-${namespace}-${name}`, labels: extra.labels },
    spec: { containers: [{ name: 'c' }], nodeName: extra.node ?? 'sim-1' },
    status: { phase: 'Running', podIP: '10.0.0.1', containerStatuses: [{ name: 'c', ready: true, restartCount: extra.restarts ?? 0, image: '', imageID: '', state: { running: {} } }] },
  };
}
const put = (p: Pod): Change => ({ kind: 'pods', op: 'upsert', object: p }) as Change;
const del = (key: string): Change => ({ kind: 'pods', op: 'delete', key }) as Change;
const keys = (s: PodsState, ns = '') => s.rowsIn(ns).map((r) => r.key);

function store(): PodsState {
  const s = new PodsState({} as Transport);
  s.replace([pod('b', 'y'), pod('a-b', 'x'), pod('a', 'z'), pod('a', 'm'), pod('kube-system', 'dns')]);
  return s;
}

describe('pod store', () => {
  it('orders a snapshot by namespace, then name (a before a-b, as kubectl -A)', () => {
    const s = store();
    expect(keys(s)).toEqual(['a/m', 'a/z', 'a-b/x', 'b/y', 'kube-system/dns']);
    expect(keys(s, 'a')).toEqual(['a/m', 'a/z']);
    expect(keys(s, 'a-b')).toEqual(['a-b/x']);
    expect(keys(s, 'nope')).toEqual([]);
  });

  it('inserts, updates in place and removes rows from a batch, keeping the order', () => {
    const s = store();
    const version = s.version;
    const rows = s.rows;
    s.apply([put(pod('a', 'p')), put(pod('b', 'y', { restarts: 4 })), del('a-b/x'), put(pod('zz', 'last')), put(pod('a', 'a0'))]);
    expect(s.version).toBe(version + 1);
    expect(keys(s)).toEqual(['a/a0', 'a/m', 'a/p', 'a/z', 'b/y', 'kube-system/dns', 'zz/last']);
    // The same array, mutated: no copy of the list per batch.
    expect(s.rows).toBe(rows);
    expect(s.row('b/y')?.restarts).toBe(4);
    expect(s.rows.find((r) => r.key === 'b/y')?.restarts).toBe(4);
    expect(s.items.size).toBe(7);
  });

  it('handles a pod added then deleted, or deleted twice, in one batch', () => {
    const s = store();
    s.apply([put(pod('c', 'tmp')), del('c/tmp'), del('a/m'), del('a/m'), del('never/was')]);
    expect(keys(s)).toEqual(['a/z', 'a-b/x', 'b/y', 'kube-system/dns']);
    expect(s.items.has('c/tmp')).toBe(false);
  });

  it('ignores other kinds and leaves the version alone when nothing was for it', () => {
    const s = store();
    const version = s.version;
    s.apply([{ kind: 'nodes', op: 'delete', key: 'sim-1' } as Change]);
    expect(s.version).toBe(version);
  });

  it('keeps 5,000 random changes in the order a full sort gives', () => {
    const s = new PodsState({} as Transport);
    s.replace([]);
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const live = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const batch: Change[] = [];
      for (let j = 0; j < 100; j++) {
        const key = `ns-${rand(5)}/pod-${rand(300)}`;
        if (live.has(key) && rand(3) === 0) {
          batch.push(del(key));
          live.delete(key);
        } else {
          const [ns, name] = key.split('/');
          batch.push(put(pod(ns, name, { restarts: rand(9) })));
          live.add(key);
        }
      }
      s.apply(batch);
    }
    const expected = [...live].sort((a, b) => {
      const [na, pa] = a.split('/');
      const [nb, pb] = b.split('/');
      return na < nb ? -1 : na > nb ? 1 : pa < pb ? -1 : pa > pb ? 1 : 0;
    });
    expect(keys(s)).toEqual(expected);
    expect(s.rows.every((r) => s.items.get(r.key) && s.row(r.key) === r)).toBe(true);
  });
});

describe('kind store', () => {
  it('hands out a new read-only view of the same Map after each batch', () => {
    const s = new KindStore('configmaps');
    s.replace([{ metadata: { namespace: 'a', name: 'one' } }]);
    const first = s.items;
    s.apply([{ kind: 'configmaps', op: 'upsert', object: { metadata: { namespace: 'a', name: 'two' } } } as Change]);
    expect(s.items).not.toBe(first);
    expect(s.items).toBeInstanceOf(Map);
    expect([...s.items.keys()]).toEqual(['a/one', 'a/two']);
    expect([...s.items.values()].map((c) => c.metadata?.name)).toEqual(['one', 'two']);
    expect(s.items.get('a/two')?.metadata?.name).toBe('two');
    expect(() => s.items.set('x', {})).toThrow(/read-only/);
  });
});

describe('pod filter', () => {
  const rows = store();
  rows.apply([put(pod('a', 'web-1', { labels: { app: 'web', tier: 'fe', env: 'prod' }, node: 'sim-2' })), put(pod('a', 'db-1', { labels: { app: 'db', tier: 'db', legacy: 'yes' } }))]);
  const names = (selector: string, text = '') => {
    const f = podFilter(selector, text);
    if (!f.ok) throw new Error(f.error);
    return rows.rows.filter(f.match).map((r) => r.name);
  };

  it('matches label selectors in kubectl syntax', () => {
    expect(names('app=web')).toEqual(['web-1']);
    expect(names('tier!=db,app')).toEqual(['web-1']);
    expect(names('env in (prod,dev),!legacy')).toEqual(['web-1']);
    expect(names('legacy')).toEqual(['db-1']);
  });

  it('matches text in the name, node, IP or status', () => {
    expect(names('', 'WEB')).toEqual(['web-1']);
    expect(names('', 'sim-2')).toEqual(['web-1']);
    expect(names('', '10.0.0.1').length).toBe(7);
    expect(names('', 'running').length).toBe(7);
    const blank = podFilter('', ' ');
    expect(blank.ok && blank.active).toBe(false);
  });

  it('says what is wrong with a bad selector', () => {
    const f = podFilter('app in (web', '');
    expect(f.ok).toBe(false);
    expect(!f.ok && f.error).toMatch(/expected: ',' or '\)'/);
  });
});
