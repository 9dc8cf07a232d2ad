// The base64 that Go's encoding/json expects for []byte fields (Secret data, ConfigMap
// binaryData): standard alphabet, padded. Line breaks are ignored as Go ignores them.

const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The number of bytes a base64 string decodes to, or undefined when it is not valid base64. */
export function decodedBase64Length(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/[\r\n]/g, '');
  if (!base64Re.test(text)) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/** The byte where decoding fails, worded as Go's base64.CorruptInputError. */
export function base64Problem(value: string): string {
  const text = value.replace(/[\r\n]/g, '');
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  const at = bad >= 0 ? bad : Math.max(0, text.length - (text.length % 4 || 4));
  return `illegal base64 data at input byte ${at}`;
}
