// Garbage in gives a ProtobufDecodeError that says what is wrong — never another exception, a
// hang or a crash: wrong magic, truncation at every byte, random bytes, bit flips, deep nesting.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from '../../../../src-main/api/protobuf/index.ts';
import type { TypeTable } from '../../../../src-main/api/protobuf/table.ts';
import { encodeBody, encodeMessage } from './encoder.ts';

const { captures } = JSON.parse(readFileSync(new URL('./fixtures/kubectl-1.35-captures.json', import.meta.url), 'utf8')) as { captures: { bodyBase64: string }[] };
const bodies = captures.map((c) => Buffer.from(c.bodyBase64, 'base64'));
const magic = Buffer.from('k8s\0', 'latin1');

/** Decodes, or fails only with ProtobufDecodeError. */
function decodeOrReject(body: Buffer, types?: TypeTable): void {
  try {
    decodeKubernetesProtobuf(body, types);
  } catch (e) {
    if (!(e instanceof ProtobufDecodeError)) throw new Error(`not a ProtobufDecodeError for ${body.toString('hex')}: ${String(e)}`);
  }
}

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

const reject = (body: Buffer, types?: TypeTable) => expect(() => decodeKubernetesProtobuf(body, types));

describe('malformed protobuf bodies', () => {
  it('wrong or missing magic', () => {
    reject(Buffer.alloc(0)).toThrow(ProtobufDecodeError);
    reject(Buffer.from('k8s')).toThrow(/magic/);
    reject(Buffer.from('{"kind":"Namespace"}')).toThrow(/magic/);
  });

  it('truncated bodies: an error naming the offset', () => {
    const body = bodies[0];
    reject(body.subarray(0, body.length - 3)).toThrow(/truncated message at offset \d+/);
  });

  it('every truncation of every capture decodes or throws ProtobufDecodeError', () => {
    for (const body of bodies) for (let n = 0; n < body.length; n++) decodeOrReject(body.subarray(0, n));
  });

  it('random bytes after the magic, and random bit flips of real bodies', () => {
    const next = rng(42);
    for (let i = 0; i < 3000; i++) {
      const junk = Buffer.from(Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256)));
      decodeOrReject(Buffer.concat([magic, junk]));
    }
    for (let i = 0; i < 5000; i++) {
      const body = Buffer.from(bodies[i % bodies.length]);
      for (let k = 0; k < 1 + Math.floor(next() * 3); k++) body[4 + Math.floor(next() * (body.length - 4))] ^= 1 << Math.floor(next() * 8);
      decodeOrReject(body);
    }
  });

  it('unknown kinds and versions', () => {
    reject(encodeBody('v1', 'Widget', 'k8s.io.api.core.v1.Namespace', {})).toThrow('unknown kind Widget in version "v1"');
    reject(encodeBody('apps/v9', 'Deployment', 'k8s.io.api.core.v1.Namespace', {})).toThrow(/unknown kind Deployment/);
    reject(encodeBody('', '', 'k8s.io.api.core.v1.Namespace', {})).toThrow(/no kind/);
    reject(encodeBody('v1', 'PodSpec', 'k8s.io.api.core.v1.Namespace', {})).toThrow('unknown kind PodSpec in version "v1"');
    reject(encodeBody('../v1', 'Pod', 'k8s.io.api.core.v1.Namespace', {})).toThrow(/unknown kind/);
  });

  it('an encoded (gzip) or non-protobuf envelope', () => {
    reject(encodeBody('v1', 'Namespace', 'k8s.io.api.core.v1.Namespace', {}, { contentEncoding: 'gzip' })).toThrow(/content encoding "gzip"/);
    reject(encodeBody('v1', 'Namespace', 'k8s.io.api.core.v1.Namespace', {}, { contentType: 'application/json' })).toThrow(/content type/);
  });

  it('a wire type that does not fit the field', () => {
    // Namespace.metadata (field 1) sent as a varint.
    const raw = Buffer.from([0x08, 0x05]);
    const body = Buffer.concat([magic, encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion: 'v1', kind: 'Namespace' }, raw })]);
    reject(body).toThrow(/Namespace\.metadata: wire type 0/);
  });

  it('bad JSON inside FieldsV1, invalid wire types, oversized lengths', () => {
    const fields = encodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta', { managedFields: [{ fieldsV1: { Raw: Buffer.from('{nope') } }] });
    const body = Buffer.concat([magic, encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion: 'v1', kind: 'Namespace' }, raw: Buffer.concat([Buffer.from([0x0a, fields.length]), fields]) })]);
    reject(body).toThrow(/FieldsV1 does not hold valid JSON/);
    reject(Buffer.concat([magic, Buffer.from([0x0f])])).toThrow(/wire type 7/);
    reject(Buffer.concat([magic, Buffer.from([0x4f])])).toThrow(/invalid wire type 7 for field 9/);
    reject(Buffer.concat([magic, Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f])])).toThrow(/truncated/);
    reject(Buffer.concat([magic, Buffer.from([0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])])).toThrow(/varint longer/);
  });

  it('nesting deeper than any real object', () => {
    const types: TypeTable = { 'k8s.io.api.test.v1.Doll': { 1: ['metadata', 'k8s.io.api.test.v1.Doll', ''] } };
    let raw = Buffer.alloc(0);
    for (let i = 0; i < 150; i++) raw = Buffer.concat([Buffer.from([0x0a]), encodeLength(raw.length), raw]);
    const body = Buffer.concat([magic, encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion: 'test/v1', kind: 'Doll' }, raw })]);
    reject(body, types).toThrow(/nested more than 100 deep/);
  });
});

function encodeLength(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
