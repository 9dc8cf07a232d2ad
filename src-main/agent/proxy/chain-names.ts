// kube-proxy's chain names: a prefix and the first 16 characters of the base32 SHA-256 of what the
// chain is for, so names stay under iptables' 28-character limit, are stable across restarts and
// match what someone who knows kube-proxy expects to see in `iptables-save`.
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** 16 base32 characters are 80 bits: the digest's first 10 bytes are all they encode. */
const HASH_BYTES = 10;

/**
 * Every sync names every chain again, and hashing them (about 4,000 for 1,000 services) was most
 * of a sync's build time: each name is computed once. Bounded, as endpoints come and go.
 */
const named = new Map<string, string>();
const NAMED_MAX = 50_000;

function hash16(text: string): string {
  let hash = named.get(text);
  if (hash === undefined) {
    if (named.size >= NAMED_MAX) named.clear();
    hash = base32(createHash('sha256').update(text).digest().subarray(0, HASH_BYTES));
    named.set(text, hash);
  }
  return hash;
}

/** "namespace/name:portName" — kube-proxy's ServicePortName, the unit every chain is made for. */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return `${namespace}/${name}${portName ? `:${portName}` : ''}`;
}

export type ChainKind = 'SVC' | 'SVL' | 'EXT' | 'FW';

/** KUBE-SVC-… (all endpoints), KUBE-SVL-… (node-local ones), KUBE-EXT-… (external entry). */
export function serviceChain(kind: ChainKind, portName: string, protocol: string): string {
  return `KUBE-${kind}-${hash16(portName + protocol.toLowerCase())}`;
}

/** KUBE-SEP-…: one endpoint of one service port. */
export function endpointChain(portName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(portName + protocol.toLowerCase() + endpoint)}`;
}
