// The flags `kubelab start` passes through to the app (same names as `kubelab serve`).
import type { ClusterNetwork } from '../cluster-config/cluster-network.ts';

export interface AppArgs {
  dataDir?: string;
  port?: number;
  address?: string;
  /** Hollow nodes sim-1 … sim-N to run in-process (a demo cluster with no machines). */
  simulateNodes?: number;
  /** The address ranges of a new cluster (--cluster-cidr, --service-cidr, --node-cidr-mask-size). */
  clusterCIDR?: string;
  serviceCIDR?: string;
  nodeCIDRMaskSize?: number;
  /** Where pods reach the API (--advertise-address). */
  advertiseAddress?: string;
}

/** The ranges asked for; what is not given comes from the data folder's record or the defaults. */
export function requestedNetwork(args: AppArgs): Partial<ClusterNetwork> {
  return { clusterCIDR: args.clusterCIDR, serviceCIDR: args.serviceCIDR, nodeCIDRMaskSize: args.nodeCIDRMaskSize };
}

export function appArgs(argv: readonly string[]): AppArgs {
  const out: AppArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--data-dir') out.dataDir = value();
    else if (flag === '--address') out.address = value();
    else if (flag === '--cluster-cidr') out.clusterCIDR = value();
    else if (flag === '--service-cidr') out.serviceCIDR = value();
    else if (flag === '--advertise-address') out.advertiseAddress = value();
    // The CLI checked it; a bad value here reaches the range checks, which say what is wrong.
    else if (flag === '--node-cidr-mask-size') out.nodeCIDRMaskSize = Number(value());
    else if (flag === '--simulate-nodes') {
      const n = Number(value());
      if (Number.isInteger(n) && n >= 0) out.simulateNodes = n;
    } else if (flag === '--port') {
      const port = Number(value());
      if (Number.isInteger(port) && port >= 0 && port < 65536) out.port = port;
    }
  }
  return out;
}

/** The same flags as an argv tail, for spawning the app. */
export function argsToArgv(args: AppArgs): string[] {
  const argv: string[] = [];
  if (args.dataDir) argv.push('--data-dir', args.dataDir);
  if (args.port !== undefined) argv.push('--port', String(args.port));
  if (args.address) argv.push('--address', args.address);
  if (args.simulateNodes) argv.push('--simulate-nodes', String(args.simulateNodes));
  if (args.clusterCIDR) argv.push('--cluster-cidr', args.clusterCIDR);
  if (args.serviceCIDR) argv.push('--service-cidr', args.serviceCIDR);
  if (args.nodeCIDRMaskSize !== undefined) argv.push('--node-cidr-mask-size', String(args.nodeCIDRMaskSize));
  if (args.advertiseAddress) argv.push('--advertise-address', args.advertiseAddress);
  return argv;
}
