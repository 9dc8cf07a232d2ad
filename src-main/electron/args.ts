// The flags `kubelab start` passes through to the app (same names as `kubelab serve`).
export interface AppArgs {
  dataDir?: string;
  port?: number;
  address?: string;
  /** Hollow nodes sim-1 … sim-N to run in-process (a demo cluster with no machines). */
  simulateNodes?: number;
}

export function appArgs(argv: readonly string[]): AppArgs {
  const out: AppArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--data-dir') out.dataDir = value();
    else if (flag === '--address') out.address = value();
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
  return argv;
}
