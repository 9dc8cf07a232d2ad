// Resource quantities as apimachinery's resource.Quantity: "100m", "1Gi", "2e3", "0.5". Values are
// kept exactly, in nano units (BigInt), because requests/limits comparisons and scheduling sums
// must not suffer from floating point; anything finer than a nano is rounded up, as upstream does.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value times 10^9. */
  readonly nanos: bigint;
  /** The suffix family the text used; the canonical form keeps it where it can. */
  readonly format: QuantityFormat;
}

/** Upstream's message for a string that is not a quantity. */
export const quantityFormatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const quantityRe = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
// Exponents beyond this are refused rather than turned into enormous BigInts.
const maxExponent = 1000;

export class QuantityError extends Error {}

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const ceilDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
};

/** Parses a quantity; numbers (YAML `cpu: 2`) are accepted as their decimal text. Throws QuantityError. */
export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === 'number' ? numberText(input) : input;
  if (typeof text !== 'string' || text.length === 0) throw new QuantityError(quantityFormatMessage);
  const m = quantityRe.exec(text);
  if (!m) throw new QuantityError(quantityFormatMessage);
  const [, numberPart, suffix] = m;
  const num = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(numberPart);
  if (!num || (num[2] === '' && (num[3] ?? '') === '')) throw new QuantityError(quantityFormatMessage);
  const negative = num[1] === '-';
  const whole = num[2];
  const fraction = num[3] ?? '';
  let mantissa = BigInt(`${whole}${fraction}` || '0');
  if (negative) mantissa = -mantissa;
  let exp10 = -fraction.length;
  let exp2 = 0;
  let format: QuantityFormat;
  if (suffix in binarySuffixes) {
    exp2 = binarySuffixes[suffix];
    format = 'BinarySI';
  } else if (suffix in decimalSuffixes) {
    exp10 += decimalSuffixes[suffix];
    format = 'DecimalSI';
  } else if (/^[eE][-+]?\d+$/.test(suffix)) {
    const e = Number(suffix.slice(1));
    if (Math.abs(e) > maxExponent) throw new QuantityError(quantityFormatMessage);
    exp10 += e;
    format = 'DecimalExponent';
  } else {
    throw new QuantityError('unable to parse quantity\'s suffix');
  }
  let scaled = mantissa * 2n ** BigInt(exp2);
  const shift = exp10 + 9;
  scaled = shift >= 0 ? scaled * pow10(shift) : ceilDiv(scaled, pow10(-shift));
  return { nanos: scaled, format };
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  // Exponent notation is a valid quantity too, so String() is enough (1e21 stays parseable).
  return String(n);
}

/** The problems with a quantity's text, as a list (empty when valid), for field errors. */
export function validateQuantityText(input: unknown): string[] {
  if (typeof input !== 'string' && typeof input !== 'number') return [quantityFormatMessage];
  try {
    parseQuantity(input);
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.format };
}

/** The value in milli units rounded up, as Quantity.MilliValue (cpu in millicores). */
export function milliValue(q: Quantity): number {
  return Number(ceilDiv(q.nanos, 1_000_000n));
}

/** The value rounded up to an integer, as Quantity.Value (memory in bytes). */
export function value(q: Quantity): number {
  return Number(ceilDiv(q.nanos, 1_000_000_000n));
}

export function isZero(q: Quantity): boolean {
  return q.nanos === 0n;
}

/**
 * The canonical text, as Quantity.String(): the largest suffix of the quantity's family that
 * keeps the value an integer ("1024Mi" -> "1Gi", "0.5" -> "500m", "1000" -> "1k").
 */
export function formatQuantity(q: Quantity): string {
  const n = q.nanos;
  if (n === 0n) return '0';
  const sign = n < 0n ? '-' : '';
  const abs = n < 0n ? -n : n;
  if (q.format === 'BinarySI' && abs % 1_000_000_000n === 0n) {
    const whole = abs / 1_000_000_000n;
    // Binary suffixes only when the value is at least 1Ki; smaller ones print as plain integers.
    for (const [suffix, bits] of Object.entries(binarySuffixes).reverse()) {
      const unit = 2n ** BigInt(bits);
      if (whole >= unit && whole % unit === 0n) return `${sign}${whole / unit}${suffix}`;
    }
    if (whole < 1024n) return `${sign}${whole}`;
  }
  const exponentForm = q.format === 'DecimalExponent';
  for (const e of [18, 15, 12, 9, 6, 3, 0, -3, -6, -9]) {
    const unit = pow10(e + 9);
    if (abs % unit === 0n) {
      const mantissa = abs / unit;
      if (exponentForm) return e === 0 ? `${sign}${mantissa}` : `${sign}${mantissa}e${e}`;
      const suffix = Object.entries(decimalSuffixes).find(([, v]) => v === e)?.[0] ?? '';
      return `${sign}${mantissa}${suffix}`;
    }
  }
  return `${sign}${abs}n`;
}

// Pods carry the same few quantities ("100m", "64Mi") over and over, and BigInt arithmetic is
// slow: remember recent answers (bounded, so odd inputs cannot grow it without limit).
const canonical = new Map<string | number, string>();
const CANONICAL_CACHE_SIZE = 1024;

/** formatQuantity(parseQuantity(input)); throws as parseQuantity does. */
export function canonicalQuantity(input: string | number): string {
  let text = canonical.get(input);
  if (text === undefined) {
    text = formatQuantity(parseQuantity(input));
    if (canonical.size >= CANONICAL_CACHE_SIZE) canonical.clear();
    canonical.set(input, text);
  }
  return text;
}
