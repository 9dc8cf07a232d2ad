// Calling CNI plugins as the CNI specification defines it: the plugin binary from CNI_PATH, the
// command and container in environment variables, the network configuration on stdin, a JSON
// result (or a JSON error with a code and message) on stdout. A configuration list runs its
// plugins in order for ADD and CHECK, each getting the previous one's result, and in reverse for
// DEL, as libcni does.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

export interface CniNetworkList {
  cniVersion: string;
  name: string;
  plugins: Record<string, unknown>[];
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniResult {
  cniVersion?: string;
  interfaces?: CniInterface[];
  ips?: { address: string; gateway?: string; interface?: number }[];
  routes?: { dst: string; gw?: string }[];
  dns?: Record<string, unknown>;
}

/** The portMappings capability (what portmap gets in runtimeConfig). */
export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: string;
  hostIP?: string;
}

/** Capability arguments: each plugin gets those its `capabilities` ask for, in runtimeConfig (libcni's rule). */
export interface CniCapabilityArgs {
  portMappings?: PortMapping[];
}

export interface CniRuntime {
  /** Directories searched for plugin binaries (CNI_PATH). */
  binDirs: string[];
  /** Runs the plugins inside this named network namespace (a test host's); the agent's own when unset. */
  hostNetns?: string;
}

export interface CniAttachment {
  containerID: string;
  netnsPath: string;
  ifName: string;
}

export class CniError extends Error {
  constructor(readonly plugin: string, readonly code: number | undefined, message: string) {
    super(`CNI plugin ${plugin}: ${message}`);
  }
}

const PLUGIN_TIMEOUT_MS = 30_000;

/** Runs one plugin; resolves with its result (DEL and CHECK may print nothing). */
export function invokePlugin(runtime: CniRuntime, command: CniCommand, at: CniAttachment, config: Record<string, unknown>): Promise<CniResult> {
  const type = String(config.type ?? '');
  if (!/^[A-Za-z0-9_.-]+$/.test(type)) return Promise.reject(new CniError(type, undefined, 'invalid plugin type'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    CNI_COMMAND: command,
    CNI_CONTAINERID: at.containerID,
    CNI_NETNS: at.netnsPath,
    CNI_IFNAME: at.ifName,
    CNI_PATH: runtime.binDirs.join(':'),
  };
  const binary = findPlugin(runtime.binDirs, type);
  const [file, args] = runtime.hostNetns ? ['ip', ['netns', 'exec', runtime.hostNetns, binary]] : [binary, []];
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, timeout: PLUGIN_TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const out = stdout.trim();
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = out ? (JSON.parse(out) as Record<string, unknown>) : undefined;
      } catch {
        parsed = undefined;
      }
      if (err) {
        const msg = typeof parsed?.msg === 'string' ? parsed.msg + (parsed.details ? `: ${String(parsed.details)}` : '') : (stderr.trim() || err.message);
        reject(new CniError(type, typeof parsed?.code === 'number' ? parsed.code : undefined, msg));
        return;
      }
      resolve((parsed ?? {}) as CniResult);
    });
    child.stdin!.on('error', () => undefined); // a plugin that exits at once: its status says why
    child.stdin!.end(JSON.stringify(config));
  });
}

/** The plugin's binary in the first CNI_PATH directory that has it (execFile reports a missing one). */
function findPlugin(dirs: string[], type: string): string {
  const found = dirs.map((d) => join(d, type)).find((p) => existsSync(p));
  return found ?? join(dirs[0] ?? '/opt/cni/bin', type);
}

/** A plugin's configuration as it is run: the list's name and version, its capability arguments. */
function pluginConfig(list: CniNetworkList, plugin: Record<string, unknown>, args: CniCapabilityArgs, prevResult?: CniResult): Record<string, unknown> {
  const { capabilities, ...config } = plugin as { capabilities?: Record<string, boolean> };
  const runtimeConfig = Object.fromEntries(Object.entries(args).filter(([k, v]) => capabilities?.[k] && v !== undefined));
  return { ...config, cniVersion: list.cniVersion, name: list.name, ...(Object.keys(runtimeConfig).length ? { runtimeConfig } : {}), ...(prevResult ? { prevResult } : {}) };
}

/** ADD of a whole list: each plugin gets the list's name and version and the previous result. */
export async function addNetworkList(runtime: CniRuntime, list: CniNetworkList, at: CniAttachment, args: CniCapabilityArgs = {}): Promise<CniResult> {
  let prevResult: CniResult | undefined;
  for (const plugin of list.plugins) {
    prevResult = await invokePlugin(runtime, 'ADD', at, pluginConfig(list, plugin, args, prevResult));
  }
  return prevResult ?? {};
}

/** CHECK of a whole list, in order, each plugin given the ADD's cached result (libcni's CheckNetworkList). */
export async function checkNetworkList(runtime: CniRuntime, list: CniNetworkList, at: CniAttachment, prevResult: CniResult, args: CniCapabilityArgs = {}): Promise<void> {
  for (const plugin of list.plugins) await invokePlugin(runtime, 'CHECK', at, pluginConfig(list, plugin, args, prevResult));
}

/** DEL of a whole list, last plugin first; every plugin runs even if an earlier one failed. */
export async function delNetworkList(runtime: CniRuntime, list: CniNetworkList, at: CniAttachment, prevResult?: CniResult, args: CniCapabilityArgs = {}): Promise<void> {
  const errors: Error[] = [];
  for (const plugin of [...list.plugins].reverse()) {
    try {
      await invokePlugin(runtime, 'DEL', at, pluginConfig(list, plugin, args, prevResult));
    } catch (e) {
      errors.push(e as Error);
    }
  }
  if (errors.length > 0) throw errors[0];
}
