// Kubernetes' metav1.Time on the wire: RFC 3339 in UTC, whole seconds.
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
