// Calls of the resource views (Services, ConfigMaps & Secrets, Namespaces): what the cache alone
// cannot give them.
export interface RevealedSecretValue {
  /** The decoded text, or the base64 as stored when the value is not valid UTF-8. */
  value: string;
  /** True when `value` is base64 because the bytes are not text (a keystore, a certificate in DER…). */
  binary: boolean;
}

export interface ResourceMethods {
  /** One value of a Secret, read on request: the cache blanks them all. */
  revealSecret: { params: { namespace: string; name: string; key: string }; result: RevealedSecretValue };
  /** Creates a namespace; its name must be a DNS-1123 label (checked before anything is sent). */
  createNamespace: { params: { name: string }; result: null };
}
