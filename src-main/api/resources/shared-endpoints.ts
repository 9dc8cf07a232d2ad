// Address and port checks Endpoints and EndpointSlices share (validateEndpointAddress,
// ValidateNonSpecialIP, validateEndpointPort), and upstream's "a,b,c + N more..." list cells.
import { isIP } from 'node:net';
import { invalid, notSupported, required, type FieldError, type FieldPath } from '../field-errors.ts';
import { isDNS1123Label } from '../validation/names.ts';
import { parseIPv4 } from '../allocator.ts';

export const protocols = ['SCTP', 'TCP', 'UDP'];

/** Endpoints may not point at addresses no pod can have (ValidateNonSpecialIP). */
export function validateNonSpecialIP(ip: string, path: FieldPath): FieldError[] {
  const v4 = parseIPv4(ip);
  const lower = ip.toLowerCase();
  if (ip === '0.0.0.0' || lower === '::') return [invalid(path, ip, 'may not be unspecified (0.0.0.0)')];
  if ((v4 !== undefined && v4 >>> 24 === 127) || lower === '::1') return [invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
  if ((v4 !== undefined && v4 >>> 16 === (169 << 8) + 254) || /^fe[89ab]/.test(lower)) return [invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if ((v4 !== undefined && v4 >>> 8 === 224 << 16) || lower.startsWith('ff02:')) {
    return [invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  }
  return [];
}

export function validateIP(ip: unknown, path: FieldPath): FieldError[] {
  if (typeof ip !== 'string' || isIP(ip) === 0) return [invalid(path, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
  return validateNonSpecialIP(ip, path);
}

/** A port entry: a DNS label name (required when there are several), a port, a protocol. */
export function validateEndpointPort(port: Record<string, unknown>, requireName: boolean, path: FieldPath, portRequired = true): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof port.name === 'string' ? port.name : '';
  if (requireName && !name) errs.push(required(path.child('name')));
  else if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(path.child('name'), name, m)));
  const p = port.port;
  if (p !== undefined || portRequired) {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) errs.push(invalid(path.child('port'), p, 'must be between 1 and 65535, inclusive'));
  }
  if (!port.protocol) errs.push(required(path.child('protocol')));
  else if (!protocols.includes(String(port.protocol))) errs.push(notSupported(path.child('protocol'), port.protocol, protocols));
  return errs;
}

/** At most `max` items, then " + N more..." with N the rest, as kubectl's list cells. */
export function listWithMore(list: string[], total: number, max = 3): string {
  const shown = list.slice(0, max).join(',');
  return total > max ? `${shown} + ${total - max} more...` : shown;
}
