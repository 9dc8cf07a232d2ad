// Content hashes for OpenAPI documents: kube-apiserver uses the upper-case hex SHA-512 of the
// serialized document, both as the `hash` query of /openapi/v3 URLs and (quoted) as the ETag.
import { createHash } from 'node:crypto';

export function documentHash(body: Buffer): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

/** The ETag header value of a body: its hash, quoted as HTTP requires. */
export function etagOf(body: Buffer): string {
  return `"${documentHash(body)}"`;
}
