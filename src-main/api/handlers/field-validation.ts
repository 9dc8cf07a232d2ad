// fieldValidation (Strict | Warn | Ignore) against the kind's upstream schema: unknown fields are
// a 400 (Strict), a warning (Warn) or silently dropped (Ignore, and after a warning); JSON type
// errors are always a 400, as upstream's decoder answers them.
import { checkFields, pruneUnknownFields, strictDecodingMessage, strictDecodingMessageOf, unknownFieldWarnings } from '../openapi/field-check.ts';
import { strictJSONFieldErrors } from '../openapi/strict-json.ts';
import type { KubeObject } from '../resources/types.ts';
import { badRequest } from '../status.ts';
import type { RequestScope } from './context.ts';

/**
 * rawJSON, when the body was JSON, also finds duplicate fields (which JSON.parse silently
 * merges), in upstream's order and words.
 */
export function checkKnownFields(scope: RequestScope, obj: KubeObject, rawJSON?: string): void {
  const { served } = scope;
  const def = served.definition;
  const result = checkFields(served.group, served.version, def.kind, obj);
  const cannotHandle = `${def.kind} in version "${served.version}" cannot be handled as a ${def.kind}`;
  if (result.typeErrors.length > 0) throw badRequest(`${cannotHandle}: ${result.typeErrors[0]}`);
  if (rawJSON !== undefined && scope.fieldValidation !== 'Ignore' && !(result.unknown.length === 0 && isRoundTrip(obj, rawJSON))) {
    const fragments = strictJSONFieldErrors(served.group, served.version, def.kind, rawJSON);
    if (fragments.length > 0 && scope.fieldValidation === 'Strict') throw badRequest(`${cannotHandle}: ${strictDecodingMessageOf(fragments)}`);
    if (fragments.length > 0) {
      scope.warnings.push(...fragments);
      pruneUnknownFields(served.group, served.version, def.kind, obj);
      return;
    }
  }
  if (result.unknown.length === 0) return;
  if (scope.fieldValidation === 'Strict') throw badRequest(`${cannotHandle}: ${strictDecodingMessage(result.unknown)}`);
  if (scope.fieldValidation === 'Warn') scope.warnings.push(...unknownFieldWarnings(result.unknown));
  pruneUnknownFields(served.group, served.version, def.kind, obj);
}

/**
 * Whether the body's text is exactly what JSON.stringify makes of what JSON.parse made of it.
 * Then no key appeared twice (a duplicate would be gone from the output), and with no unknown
 * field in the object the text has none either: the token-by-token scan of the text is skipped.
 * Node clients send exactly this form; others (Go's HTML escaping, indentation) get the scan.
 */
function isRoundTrip(obj: KubeObject, rawJSON: string): boolean {
  return JSON.stringify(obj) === rawJSON;
}
