// Bodies real kubectl 1.35 sent (fixtures/kubectl-1.35-captures.json, recorded with a small
// HTTP server standing in for the API) decode to exactly what the same command prints with
// --dry-run=client -o json, i.e. what it would have sent as JSON.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, kubernetesProtobufType } from '../../../../src-main/api/protobuf/index.ts';

interface Capture {
  name: string;
  command: string;
  url: string;
  contentType: string;
  bodyBase64: string;
  kubectlJSON: Record<string, unknown> | null;
}

const { captures } = JSON.parse(readFileSync(new URL('./fixtures/kubectl-1.35-captures.json', import.meta.url), 'utf8')) as { captures: Capture[] };

/** Go's JSON writes the zero creationTimestamp as null; the decoder leaves it out. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  return v;
}

describe('kubectl 1.35 protobuf bodies', () => {
  it('has the captures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(14);
    for (const c of captures) expect(c.contentType).toBe(kubernetesProtobufType);
  });

  for (const c of captures.filter((x) => x.kubectlJSON)) {
    it(`${c.command}`, () => {
      const got = decodeKubernetesProtobuf(Buffer.from(c.bodyBase64, 'base64'));
      const want = withoutNulls(c.kubectlJSON) as Record<string, unknown>;
      expect(got.apiVersion).toBe(want.apiVersion);
      expect(got.kind).toBe(want.kind);
      expect(got.object).toEqual(want);
    });
  }

  it('kubectl create token: a TokenRequest', () => {
    const c = captures.find((x) => x.name === 'token')!;
    expect(decodeKubernetesProtobuf(Buffer.from(c.bodyBase64, 'base64')).object).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { audiences: ['api'], expirationSeconds: 3600 },
      status: { token: '' },
    });
  });
});
