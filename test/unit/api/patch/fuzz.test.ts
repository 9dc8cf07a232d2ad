// Random and malformed patches of every format: whatever a client sends, the answer is a result
// or a PatchError (which the server turns into a Status), never any other exception, and the
// inputs stay as they were.
import { describe, expect, it } from 'vitest';
import { schemaFor } from '../../../../src-main/api/openapi/spec.ts';
import { applyPatch, PatchError, type PatchType } from '../../../../src-main/api/patch/index.ts';

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}

// Names that exercise the interesting paths: real fields with merge keys, directives, pointers.
const keys = [
  'metadata', 'labels', 'annotations', 'finalizers', 'spec', 'template', 'containers', 'initContainers', 'env', 'ports',
  'volumes', 'volumeMounts', 'name', 'image', 'value', 'containerPort', 'mountPath', 'strategy', 'rollingUpdate', 'type',
  'args', 'tolerations', '$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/env',
  '$deleteFromPrimitiveList/finalizers', '$setElementOrder', '$deleteFromPrimitiveList', '__proto__', 'constructor', '', 'a~1b', '-',
] as const;
const scalars = [null, true, false, 0, 1, -1, 1.5, '', 'a', 'app', 'delete', 'replace', 'merge', 'x/y', '-', '~0'] as const;

function value(r: ReturnType<typeof rng>, depth: number): unknown {
  const roll = r.int(depth <= 0 ? 2 : 5);
  if (roll < 2) return r.pick(scalars);
  if (roll === 2 || roll === 3) {
    const o: Record<string, unknown> = {};
    for (let i = r.int(5); i > 0; i--) Object.defineProperty(o, r.pick(keys), { value: value(r, depth - 1), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return Array.from({ length: r.int(4) }, () => value(r, depth - 1));
}

function pointer(r: ReturnType<typeof rng>): unknown {
  if (r.int(10) === 0) return r.pick([null, 3, '', 'nope', {}]);
  const parts = Array.from({ length: r.int(5) }, () => (r.int(3) === 0 ? String(r.int(4) - 1) : r.pick(keys)));
  return '/' + parts.join('/');
}

function operations(r: ReturnType<typeof rng>): unknown {
  if (r.int(8) === 0) return value(r, 2);
  return Array.from({ length: r.int(5) }, () => {
    if (r.int(12) === 0) return value(r, 1);
    const op: Record<string, unknown> = { op: r.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'frob', 3]) };
    if (r.int(8)) op.path = pointer(r);
    if (r.int(2)) op.from = pointer(r);
    if (r.int(3)) op.value = value(r, 2);
    return op;
  });
}

function deployment(r: ReturnType<typeof rng>, odd = true): unknown {
  const base = {
    metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a', 'b'] },
    spec: {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'nginx', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
            { name: 'side', image: 'busybox' },
          ],
          volumes: [{ name: 'v', emptyDir: {} }],
        },
      },
    },
  };
  // Sometimes a live object with odd shapes, as a corrupt or unexpected store might hold.
  return odd && r.int(5) === 0 ? { ...base, spec: value(r, 3) } : base;
}

const types: PatchType[] = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const deploymentSchema = schemaFor('apps', 'v1', 'Deployment');

describe('patch fuzzing', () => {
  for (const type of types) {
    it(`${type}: random patches end in a result or a PatchError`, () => {
      const r = rng(types.indexOf(type) + 1);
      let failures = 0;
      for (let i = 0; i < 3000; i++) {
        const target = deployment(r);
        const body = type === 'application/json-patch+json' ? operations(r) : r.int(10) === 0 ? value(r, 1) : value(r, 5);
        const schema = r.int(6) === 0 ? undefined : deploymentSchema;
        const before = JSON.stringify([target, body]);
        try {
          const out = applyPatch(type, target, body, schema);
          // The result must be plain JSON.
          expect(() => JSON.stringify(out)).not.toThrow();
        } catch (e) {
          if (!(e instanceof PatchError)) throw new Error(`iteration ${i}: ${String(e)}\nbody: ${JSON.stringify(body)}`);
          expect([400, 413, 415, 422, 500]).toContain(e.status);
          failures++;
        }
        expect(JSON.stringify([target, body])).toBe(before);
      }
      // Both outcomes must actually be exercised, or the fuzzing proves nothing.
      expect(failures).toBeGreaterThan(0);
      expect(failures).toBeLessThan(3000);
    }, 60_000);
  }

  it('a document nested deeper than the stack allows is a 400, not a crash', () => {
    const deep = JSON.parse('{"a":'.repeat(50000) + '1' + '}'.repeat(50000));
    const bodies: [PatchType, unknown][] = [
      ['application/merge-patch+json', deep],
      ['application/strategic-merge-patch+json', { metadata: deep }],
      ['application/json-patch+json', [{ op: 'add', path: '/b', value: deep }]],
    ];
    for (const [type, body] of bodies) {
      let error: unknown;
      try {
        applyPatch(type, { metadata: { name: 'x' } }, body, deploymentSchema);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PatchError);
      expect((error as PatchError).status).toBe(400);
    }
  });

  it('strategic merge patch results never contain directives when the patch succeeds', () => {
    const r = rng(42);
    let ok = 0;
    for (let i = 0; i < 3000; i++) {
      // A well-formed live object: directives in the result can then only come from the patch.
      const target = deployment(r, false);
      try {
        const out = applyPatch('application/strategic-merge-patch+json', target, value(r, 5), deploymentSchema);
        const found: string[] = [];
        const walk = (v: unknown) => {
          if (Array.isArray(v)) v.forEach(walk);
          else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (/^\$(patch|retainKeys|setElementOrder\/|deleteFromPrimitiveList\/)/.test(k) && found.push(k), walk(x));
        };
        walk(out);
        expect(found).toEqual([]);
        ok++;
      } catch (e) {
        if (!(e instanceof PatchError)) throw e;
      }
    }
    expect(ok).toBeGreaterThan(100);
  }, 60_000);
});
