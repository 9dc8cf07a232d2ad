import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { endpoints } from '../../../../src-main/api/resources/endpoints.ts';
import { create, fields } from './nonworkload-helpers.ts';

const now = new Date('2026-01-01T00:01:00Z');

describe('Endpoints', () => {
  it('defaults port protocols and accepts addresses with ports', async () => {
    const { obj, errors } = await create(endpoints, { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80 }] }] });
    expect(errors).toEqual([]);
    expect(obj.subsets).toEqual([{ addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
  });

  it('refuses empty subsets, bad and special IPs, unnamed ports among several', async () => {
    const { errors } = await create(endpoints, {
      metadata: { name: 'web' },
      subsets: [{}, { addresses: [{ ip: 'nope' }, { ip: '127.0.0.1' }], ports: [{ port: 80 }, { name: 'b', port: 81, protocol: 'ICMP' }] }],
    });
    expect(fields(errors)).toEqual(['subsets[0]', 'subsets[1].addresses[0].ip', 'subsets[1].addresses[1].ip', 'subsets[1].ports[0].name', 'subsets[1].ports[1].protocol']);
    expect(formatFieldError(errors[0])).toBe('subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`');
    expect(formatFieldError(errors[2])).toBe('subsets[1].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)');
  });

  it('prints the first three ip:port pairs and how many more', () => {
    const ep = {
      metadata: { name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
      subsets: [{ addresses: ['10.42.0.1', '10.42.0.2', '10.42.0.3'].map((ip) => ({ ip })), ports: [{ port: 80 }, { port: 443 }] }],
    };
    expect(endpoints.shortNames).toEqual(['ep']);
    expect(endpoints.table?.cells(ep, now)).toEqual(['web', '10.42.0.1:80,10.42.0.2:80,10.42.0.3:80 + 3 more...', '60s']);
    expect(endpoints.table?.cells({ metadata: { name: 'e' } }, now)[1]).toBe('<none>');
    expect(endpoints.table?.cells({ metadata: { name: 'h' }, subsets: [{ addresses: [{ ip: '10.42.0.9' }] }] }, now)[1]).toBe('10.42.0.9');
  });
});
