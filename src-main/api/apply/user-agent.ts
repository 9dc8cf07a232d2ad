// The field manager of a write that names none: upstream takes the User-Agent up to its first
// '/' ("kubectl/v1.30.0 (linux/amd64) kubernetes/abc" -> "kubectl"), drops characters that are
// not printable and stops before the 128-byte limit of a manager name.

/** validation.FieldManagerMaxLength upstream. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

// Unicode's printable characters as Go's unicode.IsPrint counts them: letters, marks, numbers,
// punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function defaultManagerName(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0];
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!PRINTABLE.test(ch)) continue;
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += size;
  }
  return out;
}
