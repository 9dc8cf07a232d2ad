// Sizes of ConfigMap and Secret values, for showing what is stored without dumping it.

/** A value is collapsed when it would take more than a few lines of the drawer. */
export function isLong(value: string): boolean {
  return value.length > 200 || value.split('\n').length > 4;
}

/** The decoded size of a base64 string. */
export function base64Bytes(base64: string): number {
  const pad = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((base64.length * 3) / 4) - pad);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
