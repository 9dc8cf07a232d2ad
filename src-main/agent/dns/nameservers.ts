// Upstream nameservers: "ip" or "ip:port" ("[v6]:port" for IPv6 with a port), as the agent
// passes them, and the node's own from its resolv.conf.
import { isIP } from 'node:net';
import { parseResolvConf } from '../kubelet/pod-files.ts';

export interface Nameserver {
  host: string;
  port: number;
}

export function parseNameserver(text: string): Nameserver {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : hostPort ? [hostPort[1], hostPort[2]] : [text, undefined];
  const number = port === undefined ? 53 : Number(port);
  if (!isIP(host)) throw new Error(`upstream nameserver "${text}": not an IP address (want "ip" or "ip:port")`);
  if (!Number.isInteger(number) || number < 1 || number > 65535) throw new Error(`upstream nameserver "${text}": port must be 1-65535`);
  return { host, port: number };
}

export function formatNameserver(ns: Nameserver): string {
  return ns.host.includes(':') ? `[${ns.host}]:${ns.port}` : `${ns.host}:${ns.port}`;
}

/** The nameservers of a resolv.conf text, for forwarding the names outside the cluster. */
export function upstreamNameservers(resolvConf: string): string[] {
  return parseResolvConf(resolvConf).nameservers.filter((ns) => isIP(ns) !== 0);
}
