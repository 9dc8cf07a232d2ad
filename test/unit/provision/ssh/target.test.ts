import { describe, expect, it } from 'vitest';
import { parseSshAddress, sshHostLabel, sshLabel } from '../../../../src-main/provision/ssh/target.ts';

describe('parseSshAddress', () => {
  it('reads [user@]host[:port] as ssh does, the local user by default', () => {
    expect(parseSshAddress('pi@raspberrypi.local', 'me')).toEqual({ user: 'pi', host: 'raspberrypi.local', port: 22 });
    expect(parseSshAddress('192.168.1.20:2222', 'me')).toEqual({ user: 'me', host: '192.168.1.20', port: 2222 });
    expect(parseSshAddress('node-1', 'root')).toEqual({ user: 'root', host: 'node-1', port: 22 });
    expect(parseSshAddress('admin@[fe80::1%eth0]:22', 'me')).toEqual({ user: 'admin', host: 'fe80::1%eth0', port: 22 });
    expect(parseSshAddress('[::1]', 'me')).toEqual({ user: 'me', host: '::1', port: 22 });
  });

  it('says precisely what is wrong with bad input', () => {
    const bad: [string, string][] = [
      ['', '"" is not [user@]host[:port]: the host is empty'],
      ['pi@', '"pi@" is not [user@]host[:port]: the host is empty'],
      ['@host', '"@host" is not [user@]host[:port]: the user before "@" is empty'],
      ['pi@host:0', '"pi@host:0" is not [user@]host[:port]: port 0 is not between 1 and 65535'],
      ['pi@host:70000', '"pi@host:70000" is not [user@]host[:port]: port 70000 is not between 1 and 65535'],
      ['pi@host:ssh', '"pi@host:ssh" is not [user@]host[:port]: port "ssh" is not a number'],
      ['pi@host:', '"pi@host:" is not [user@]host[:port]: port "" is not a number'],
      ['pi@ho st', '"pi@ho st" is not [user@]host[:port]: it has spaces'],
      ['pi@-host', '"pi@-host" is not [user@]host[:port]: "-host" is not a valid host name or address'],
      ['pi@host_1', '"pi@host_1" is not [user@]host[:port]: "host_1" is not a valid host name or address'],
      ['fe80::1', '"fe80::1" is not [user@]host[:port]: an IPv6 address goes in brackets, e.g. [fe80::1]:22'],
      ['[fe80::1', '"[fe80::1" is not [user@]host[:port]: "[" without "]"'],
      ['[fe80::1]x', '"[fe80::1]x" is not [user@]host[:port]: unexpected "x" after "]"'],
      ['[host]', '"[host]" is not [user@]host[:port]: "host" is not an IPv6 address'],
      ['p;i@host', '"p;i@host" is not [user@]host[:port]: "p;i" is not a valid user name'],
    ];
    for (const [text, message] of bad) expect(() => parseSshAddress(text, 'me'), text).toThrow(message);
  });
});

describe('labels', () => {
  it('show the port only when it is not 22, and IPv6 in brackets', () => {
    expect(sshLabel({ user: 'pi', host: 'pi.local' })).toBe('pi@pi.local');
    expect(sshLabel({ user: 'pi', host: '10.0.0.5', port: 2222 })).toBe('pi@10.0.0.5:2222');
    expect(sshHostLabel({ host: 'fe80::1', port: 22 })).toBe('[fe80::1]');
    expect(sshHostLabel({ host: 'fe80::1', port: 2200 })).toBe('[fe80::1]:2200');
  });
});
