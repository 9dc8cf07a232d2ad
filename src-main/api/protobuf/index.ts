// Request bodies in Kubernetes' protobuf encoding, which client-go's typed clientsets (kubectl
// 1.32+ for create, run, expose, drain's evictions, deletes) send for built-in kinds. The body is
// the magic "k8s\0" and a runtime.Unknown envelope whose `raw` is the object's own message; it is
// decoded here to the same JSON-shaped object the JSON path would produce.
import { ProtobufDecodeError } from './errors.ts';
import { MessageDecoder } from './message.ts';
import { ProtoReader, WireType } from './reader.ts';
import { messageFor, typeTable, type TypeTable } from './table.ts';

export { ProtobufDecodeError } from './errors.ts';

export const kubernetesProtobufType = 'application/vnd.kubernetes.protobuf';

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
  rawBase: number;
  contentEncoding: string;
  contentType: string;
}

/** runtime.Unknown: 1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType. */
function readEnvelope(body: Buffer): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: Buffer.alloc(0), rawBase: magic.length, contentEncoding: '', contentType: '' };
  const r = new ProtoReader(body.subarray(magic.length), magic.length);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field < 1 || field > 4) {
      r.skip(wire, field);
      continue;
    }
    if (wire !== WireType.bytes) throw new ProtobufDecodeError(`runtime.Unknown field ${field}: wire type ${wire}, expected length-delimited`);
    const { buf, base } = r.bytes();
    if (field === 1) {
      const t = new ProtoReader(buf, base);
      while (!t.done()) {
        const tag = t.tag();
        if ((tag.field === 1 || tag.field === 2) && tag.wire === WireType.bytes) {
          const s = t.bytes().buf.toString('utf8');
          if (tag.field === 1) env.apiVersion = s;
          else env.kind = s;
        } else t.skip(tag.wire, tag.field);
      }
    } else if (field === 2) {
      env.raw = buf;
      env.rawBase = base;
    } else if (field === 3) env.contentEncoding = buf.toString('utf8');
    else env.contentType = buf.toString('utf8');
  }
  return env;
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` request body. Throws ProtobufDecodeError for
 * anything it cannot decode: wrong magic, truncation, an unknown kind, a wire type that does
 * not fit the field.
 */
export function decodeKubernetesProtobuf(body: Buffer, types: TypeTable = typeTable()): DecodedObject {
  if (body.length < magic.length || !body.subarray(0, magic.length).equals(magic)) {
    throw new ProtobufDecodeError('not a Kubernetes protobuf body: it does not start with the magic "k8s\\x00"');
  }
  const env = readEnvelope(body);
  if (!env.kind) throw new ProtobufDecodeError('the protobuf envelope names no kind (typeMeta.kind is empty)');
  if (env.contentEncoding) throw new ProtobufDecodeError(`unsupported content encoding ${JSON.stringify(env.contentEncoding)} in the protobuf envelope`);
  if (env.contentType && env.contentType !== kubernetesProtobufType) {
    throw new ProtobufDecodeError(`unsupported content type ${JSON.stringify(env.contentType)} in the protobuf envelope`);
  }
  const name = messageFor(env.apiVersion, env.kind, types);
  if (!name) throw new ProtobufDecodeError(`unknown kind ${env.kind} in version ${JSON.stringify(env.apiVersion)}`);
  const decoded = new MessageDecoder(types).message(name, env.raw, env.rawBase) as Record<string, unknown>;
  // apiVersion and kind first, as in any JSON object a client sends.
  const object: Record<string, unknown> = { apiVersion: env.apiVersion, kind: env.kind };
  for (const [k, v] of Object.entries(decoded)) if (k !== 'apiVersion' && k !== 'kind') object[k] = v;
  return { apiVersion: env.apiVersion, kind: env.kind, object };
}
