// The flags `kubelab start` hands to the desktop app survive the trip: the app parses what
// argsToArgv writes, including a new cluster's ranges and the advertise address.
import { describe, expect, it } from 'vitest';
import { appArgs, argsToArgv, requestedNetwork, type AppArgs } from '../../../src-main/electron/args.ts';

describe('app args', () => {
  it('round-trips the cluster ranges and the advertise address', () => {
    const args: AppArgs = { dataDir: '/d', port: 0, address: '0.0.0.0', clusterCIDR: '10.44.0.0/16', serviceCIDR: '10.45.0.0/20', nodeCIDRMaskSize: 26, advertiseAddress: '192.168.1.10' };
    const parsed = appArgs(['electron', '.', ...argsToArgv(args)]);
    expect(parsed).toEqual(args);
    expect(requestedNetwork(parsed)).toEqual({ clusterCIDR: '10.44.0.0/16', serviceCIDR: '10.45.0.0/20', nodeCIDRMaskSize: 26 });
  });

  it('asks for no range when none is given, so the record or the defaults decide', () => {
    expect(requestedNetwork(appArgs(['--data-dir=/d']))).toEqual({ clusterCIDR: undefined, serviceCIDR: undefined, nodeCIDRMaskSize: undefined });
  });
});
