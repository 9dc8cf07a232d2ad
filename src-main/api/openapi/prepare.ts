// Builds everything the OpenAPI endpoints and field checks need ahead of the first request:
// the protobuf document alone takes ~150 ms to encode, and the first kubectl command after a
// start should not pay for it. Call it once the served kinds are known (idle time is fine).
import { type ServedKind } from './served.ts';
import { openAPIV2, OPENAPI_V2_PROTOBUF } from './v2.ts';
import { openAPIV3Index } from './v3.ts';
import { kindNode } from './field-schema.ts';

export function prepareOpenAPI(served: readonly ServedKind[]): void {
  openAPIV2(served, 'application/json');
  openAPIV2(served, OPENAPI_V2_PROTOBUF);
  openAPIV3Index(served);
  for (const s of served) kindNode(s.group, s.version, s.kind);
}
