// The identity of a pod template: the pod-template-hash that names a Deployment's ReplicaSets
// (upstream's controller.ComputeHash: FNV-32a of the template, then of the collision count,
// written with the "safe" alphabet that cannot spell words), and template equality that ignores
// that label (deploymentutil.EqualIgnoreHash). Upstream hashes Go's in-memory struct, which JSON
// cannot reproduce; this hashes the template's canonical JSON instead — equal templates give
// equal hashes, which is what matters: the same template always finds the same ReplicaSet.
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';

export const podTemplateHashLabel = 'pod-template-hash';

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Empty objects and lists are the same as absent ones (apimachinery's semantic equality). */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/** JSON with keys sorted and empty values left out, so equal templates serialize equally. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const parts: string[] = [];
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (isEmpty(x)) continue;
      const inner = canonicalJSON(x);
      if (inner === '{}' || inner === '[]') continue;
      parts.push(`${JSON.stringify(k)}:${inner}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** rand.SafeEncodeString: every character mapped into the alphabet without vowels. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += safeAlphabet[s.charCodeAt(i) % safeAlphabet.length];
  return out;
}

/** The pod-template-hash of a template; a collision count changes it, to get past a clash. */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJSON(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const le = new Uint8Array(4);
    new DataView(le.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(le, h);
  }
  return safeEncodeString(String(h));
}

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const labels = { ...t?.metadata?.labels };
  delete labels[podTemplateHashLabel];
  return { ...t, metadata: { ...t?.metadata, labels } };
}

/**
 * Templates by their canonical form without the hash label, remembered per template object: a
 * Deployment sync compares its template with every ReplicaSet's several times, and cached
 * objects are never changed in place (they are replaced), so the form of each is computed once.
 */
const identities = new WeakMap<PodTemplateSpec, string>();

function identity(t: PodTemplateSpec | undefined): string {
  if (!t) return canonicalJSON(withoutHash(t));
  let id = identities.get(t);
  if (id === undefined) identities.set(t, (id = canonicalJSON(withoutHash(t))));
  return id;
}

/** Whether two templates are the same apart from their pod-template-hash labels. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return identity(a) === identity(b);
}
