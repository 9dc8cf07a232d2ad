// Upstream nameservers as the agent passes them and as the node's resolv.conf lists them.
import { describe, expect, it } from 'vitest';
import { ClusterDNS } from '../../../../src-main/agent/dns/cluster-dns.ts';
import { formatNameserver, parseNameserver, upstreamNameservers } from '../../../../src-main/agent/dns/nameservers.ts';
import { MemoryDirectory } from '../../../fixtures/dns/directory.ts';

describe('upstream nameservers', () => {
  it('reads ip, ip:port, IPv6 and [IPv6]:port', () => {
    expect(parseNameserver('192.168.1.1')).toEqual({ host: '192.168.1.1', port: 53 });
    expect(parseNameserver('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseNameserver('fd00::53')).toEqual({ host: 'fd00::53', port: 53 });
    expect(parseNameserver('[fd00::53]:5353')).toEqual({ host: 'fd00::53', port: 5353 });
    expect(formatNameserver({ host: 'fd00::53', port: 53 })).toBe('[fd00::53]:53');
  });

  it('rejects names and bad ports, saying what it wants', () => {
    expect(() => parseNameserver('dns.google')).toThrow('upstream nameserver "dns.google": not an IP address (want "ip" or "ip:port")');
    expect(() => parseNameserver('1.1.1.1:0')).toThrow('upstream nameserver "1.1.1.1:0": port must be 1-65535');
    expect(() => parseNameserver('')).toThrow('not an IP address');
  });

  it('takes the nameservers of a resolv.conf, skipping what is not an address', () => {
    const text = '# generated\nsearch lan\nnameserver 192.168.1.1\nnameserver bogus\nnameserver fe80::1%eth0\nnameserver 2001:db8::1 ; comment\noptions edns0\n';
    expect(upstreamNameservers(text)).toEqual(['192.168.1.1', 'fe80::1%eth0', '2001:db8::1']);
    expect(upstreamNameservers('')).toEqual([]);
  });

  it('refuses itself as an upstream: forwarding would loop', () => {
    expect(() => new ClusterDNS({ address: '10.42.0.1', port: 53, directory: new MemoryDirectory(), upstream: ['10.42.0.1'] }))
      .toThrow('upstream nameserver "10.42.0.1:53" is this DNS server itself: forwarding would loop');
  });
});
