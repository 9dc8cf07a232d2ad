// The range checks a new cluster's flags pass through, and the record that holds them for life:
// each refusal is one line naming the flag, and a refused start writes nothing.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordClusterNetwork, recordedClusterNetwork, resolveClusterNetwork } from '../../../src-main/cluster-config/cluster-config-file.ts';
import { checkClusterNetwork, ClusterNetworkError, defaultClusterNetwork } from '../../../src-main/cluster-config/cluster-network.ts';
import { checkAdvertiseAddress } from '../../../src-main/cluster-config/advertise-address.ts';

const network = (over: Partial<typeof defaultClusterNetwork>) => ({ ...defaultClusterNetwork, ...over });
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ClusterNetworkError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('checkClusterNetwork', () => {
  it('accepts the defaults and custom ranges, in canonical form', () => {
    expect(checkClusterNetwork(defaultClusterNetwork)).toEqual({ clusterCIDR: '10.42.0.0/16', serviceCIDR: '10.43.0.0/16', nodeCIDRMaskSize: 24 });
    expect(checkClusterNetwork({ clusterCIDR: '10.44.7.9/16', serviceCIDR: '10.45.0.0/20', nodeCIDRMaskSize: 26 }))
      .toEqual({ clusterCIDR: '10.44.0.0/16', serviceCIDR: '10.45.0.0/20', nodeCIDRMaskSize: 26 });
  });

  it('refuses what is not an IPv4 CIDR, naming the flag', () => {
    for (const bad of ['10.42.0.0', '10.42.0.0/33', '10.42.0.256/16', 'fd00::/64', '10.42.0.0/016', '']) {
      expect(refusal(() => checkClusterNetwork(network({ clusterCIDR: bad })))).toBe(`--cluster-cidr must be an IPv4 CIDR such as 10.42.0.0/16, not "${bad}"`);
    }
    expect(refusal(() => checkClusterNetwork(network({ serviceCIDR: 'ten/16' })))).toMatch(/^--service-cidr must be an IPv4 CIDR/);
  });

  it('refuses overlapping ranges, either inside the other', () => {
    expect(refusal(() => checkClusterNetwork(network({ serviceCIDR: '10.42.128.0/20' }))))
      .toBe('--cluster-cidr 10.42.0.0/16 and --service-cidr 10.42.128.0/20 overlap: pods and services need separate ranges');
    expect(refusal(() => checkClusterNetwork({ clusterCIDR: '10.42.1.0/24', serviceCIDR: '10.32.0.0/12', nodeCIDRMaskSize: 26 }))).toMatch(/overlap/);
    expect(checkClusterNetwork(network({ serviceCIDR: '10.41.255.0/24' })).serviceCIDR).toBe('10.41.255.0/24');
  });

  it('wants a node mask size larger than the pod range prefix and at most 30', () => {
    for (const bad of [16, 15, 31, 24.5]) {
      expect(refusal(() => checkClusterNetwork(network({ nodeCIDRMaskSize: bad })))).toBe(
        `--node-cidr-mask-size must be a whole number from 17 (larger than the prefix of --cluster-cidr 10.42.0.0/16) to 30, not "${bad}"`,
      );
    }
    expect(checkClusterNetwork(network({ nodeCIDRMaskSize: 17 })).nodeCIDRMaskSize).toBe(17);
    expect(checkClusterNetwork(network({ nodeCIDRMaskSize: 30 })).nodeCIDRMaskSize).toBe(30);
  });

  it('allows a service range up to a /12, as kube-apiserver', () => {
    expect(checkClusterNetwork(network({ serviceCIDR: '10.96.0.0/12' })).serviceCIDR).toBe('10.96.0.0/12');
    expect(refusal(() => checkClusterNetwork(network({ serviceCIDR: '10.96.0.0/11' })))).toMatch(/^--service-cidr 10\.96\.0\.0\/11 is too large: the mask must be >= 12/);
    expect(refusal(() => checkClusterNetwork(network({ serviceCIDR: '10.43.0.0/31' })))).toMatch(/too small/);
  });
});

describe('checkAdvertiseAddress', () => {
  it('takes an IPv4 address pods can reach, and refuses loopback, link-local and non-addresses', () => {
    expect(checkAdvertiseAddress('192.168.1.10')).toBe('192.168.1.10');
    expect(refusal(() => checkAdvertiseAddress('127.0.0.1'))).toBe('--advertise-address 127.0.0.1 may not be in the loopback range (127.0.0.0/8, ::1/128)');
    expect(refusal(() => checkAdvertiseAddress('169.254.1.1'))).toMatch(/link-local/);
    expect(refusal(() => checkAdvertiseAddress('my-host'))).toBe('--advertise-address must be an IPv4 address such as 192.168.1.10, not "my-host"');
  });
});

describe('the cluster-config.json record', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'kubelab-cc-')));

  it('a new cluster takes what is asked over the defaults; once recorded, only the same is accepted', () => {
    fresh();
    expect(recordedClusterNetwork(dir)).toBeUndefined();
    const net = resolveClusterNetwork(dir, { clusterCIDR: '10.44.0.0/16', nodeCIDRMaskSize: undefined });
    expect(net).toEqual({ clusterCIDR: '10.44.0.0/16', serviceCIDR: '10.43.0.0/16', nodeCIDRMaskSize: 24 });
    expect(readdirSync(dir)).toEqual([]); // resolving writes nothing
    recordClusterNetwork(dir, net);
    expect(recordedClusterNetwork(dir)).toEqual(net);
    expect(resolveClusterNetwork(dir)).toEqual(net);
    expect(resolveClusterNetwork(dir, { clusterCIDR: '10.44.3.0/16', nodeCIDRMaskSize: 24 })).toEqual(net);
    expect(refusal(() => resolveClusterNetwork(dir, { serviceCIDR: '10.45.0.0/16' }))).toBe(
      `--service-cidr 10.45.0.0/16 differs from the cluster's 10.43.0.0/16 (recorded in ${join(dir, 'cluster-config.json')}): ranges cannot change after the cluster is created`,
    );
    expect(refusal(() => resolveClusterNetwork(dir, { nodeCIDRMaskSize: 26 }))).toMatch(/^--node-cidr-mask-size 26 differs from the cluster's 24/);
  });

  it('a cluster from before the record (a store, no file) has the defaults', () => {
    fresh();
    mkdirSync(join(dir, 'store'));
    expect(recordedClusterNetwork(dir)).toEqual(defaultClusterNetwork);
    expect(refusal(() => resolveClusterNetwork(dir, { clusterCIDR: '10.50.0.0/16' }))).toMatch(/differs from the cluster's 10\.42\.0\.0\/16/);
  });

  it('a damaged record is one line naming the file', () => {
    fresh();
    writeFileSync(join(dir, 'cluster-config.json'), '{"clusterCIDR": "10.42.0.0/16", "serviceCIDR": "10.42.0.0/16"}');
    expect(refusal(() => recordedClusterNetwork(dir))).toMatch(/cluster-config\.json: --cluster-cidr 10\.42\.0\.0\/16 and --service-cidr 10\.42\.0\.0\/16 overlap/);
    writeFileSync(join(dir, 'cluster-config.json'), '{');
    expect(refusal(() => resolveClusterNetwork(dir))).toMatch(/cluster-config\.json is not valid JSON/);
  });
});
