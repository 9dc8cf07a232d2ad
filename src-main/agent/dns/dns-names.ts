// Name handling shared by the cluster zone and the reverse zones. DNS compares names
// case-insensitively (and the spec asks the same of every comparison with Kubernetes data), so
// every lookup goes through canonicalName() first; answers keep the spelling the client asked
// with, which resolvers using 0x20 case randomisation check.
import { isIPv4, isIPv6 } from 'node:net';

/** Lower case, without the trailing dot of a fully qualified name. */
export function canonicalName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** The labels of `name` left of `zone`, or undefined when the name is not inside the zone. */
export function labelsInZone(name: string, zone: string): string[] | undefined {
  if (name === zone) return [];
  if (!name.endsWith(`.${zone}`)) return undefined;
  return name.slice(0, -zone.length - 1).split('.');
}

/** The endpoint label CoreDNS uses for an endpoint without a hostname: its IP with dashes. */
export function dashedIP(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** `a-b-c-d` back to `a.b.c.d` (pod records); undefined when it is no IPv4 address. */
export function ipv4FromDashed(label: string): string | undefined {
  const ip = label.replace(/-/g, '.');
  return isIPv4(ip) ? ip : undefined;
}

/** The address a PTR question asks about: `d.c.b.a.in-addr.arpa` or the 32 nibbles of ip6.arpa. */
export function ipFromReverseName(name: string): string | undefined {
  const v4 = labelsInZone(name, 'in-addr.arpa');
  if (v4) {
    const ip = [...v4].reverse().join('.');
    return v4.length === 4 && isIPv4(ip) ? ip : undefined;
  }
  const v6 = labelsInZone(name, 'ip6.arpa');
  if (!v6 || v6.length !== 32 || !v6.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
  const hex = [...v6].reverse().join('');
  const ip = hex.match(/.{4}/g)!.join(':');
  return isIPv6(ip) ? normalizeIP(ip) : undefined;
}

/** One spelling per address, so `fd00::1` and `fd00:0:0::1` compare equal. */
export function normalizeIP(ip: string): string {
  if (!isIPv6(ip)) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}
