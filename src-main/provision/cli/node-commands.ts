// `kubelab node add | list | upgrade | remove` and `kubelab image load`: the provisioning library
// driven from the command line, against the cluster of --data-dir.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1';
import { createBootstrapToken, deleteBootstrapToken } from '../../auth/bootstrap-token-secret.ts';
import { KubeClient } from '../../client/kube-client.ts';
import { parseKubeconfig } from '../../client/kubeconfig.ts';
import { gvr } from '../../client/resources.ts';
import { readServerRecord } from '../../control-plane.ts';
import { adminKubeconfig } from '../../kubeconfig.ts';
import { joinNode, PreflightError, type JoinResult, type JoinTokens } from '../join/join-node.ts';
import { removeNode } from '../join/remove-node.ts';
import { upgradeNodes } from '../join/upgrade-node.ts';
import type { CheckResult } from '../preflight/checks.ts';
import { connectNode, flagsOf, recordOf, type ConnectFlags } from './connect-node.ts';
import { NodeRegistry } from './node-registry.ts';
import { progressDisplay } from './progress-display.ts';

/** A failure the message says all of (the CLI prints it as one line, exit 1). */
export class ProvisionError extends Error {}

const JOIN_TOKEN_TTL_SECONDS = 15 * 60;
/** The node's end of a reverse tunnel (k3s' agents use 6443/6444 locally; this stays clear of both). */
export const DEFAULT_TUNNEL_PORT = 16443;

/** host and port of an https URL. */
export function apiAddress(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 443) };
}

export interface ClusterAccess {
  client: KubeClient;
  /** The API URL recorded by the running control plane. */
  server: string;
  caPem: string;
  tokens: JoinTokens;
}

export function clusterAccess(dataDir: string): ClusterAccess {
  const connection = parseKubeconfig(adminKubeconfig(dataDir), undefined, dataDir);
  const client = new KubeClient(connection);
  const caPem = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  const server = readServerRecord(dataDir)?.url ?? connection.server;
  const tokens: JoinTokens = {
    create: (description) => createBootstrapToken(client, { ttlSeconds: JOIN_TOKEN_TTL_SECONDS, description, caPem }),
    remove: (id) => deleteBootstrapToken(client, id),
  };
  return { client, server, caPem, tokens };
}

/** The API URL a node is told: --server, else the served one, unless only this computer reaches it. */
export function nodeServerURL(access: ClusterAccess, override?: string): string {
  const url = override ?? access.server;
  const host = new URL(url).hostname;
  if (!override && (host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]')) {
    throw new ProvisionError(`the control plane is served at ${url}, which other machines cannot reach: serve it on an address they reach (kubelab serve --address 0.0.0.0), or pass --server https://ADDRESS:PORT`);
  }
  return url;
}

export interface AddFlags extends ConnectFlags {
  /** Reach the API through a reverse SSH tunnel to the node's 127.0.0.1:<tunnelPort>. */
  tunnel?: boolean;
  tunnelPort?: number;
  nodeName?: string;
  nodeIP?: string;
  runtime?: 'runc' | 'crun';
  server?: string;
  installDeps?: boolean;
  dryRun?: boolean;
}

export async function addNode(dataDir: string, flags: AddFlags, bundle: () => Promise<Buffer>): Promise<JoinResult> {
  const access = clusterAccess(dataDir);
  const { listener, stop } = progressDisplay();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const server = flags.tunnel ? `https://127.0.0.1:${flags.tunnelPort ?? DEFAULT_TUNNEL_PORT}` : nodeServerURL(access, flags.server);
    const host = await connectNode(dataDir, flags, say);
    try {
      // The join itself goes through the tunnel, the preflight's API probe included.
      if (flags.tunnel) await host.forwardIn('127.0.0.1', flags.tunnelPort ?? DEFAULT_TUNNEL_PORT, apiAddress(flags.server ?? access.server));
      const result = await joinNode({
        host, client: access.client, serverURL: server, bundle: await bundle(), tokens: access.tokens,
        nodeName: flags.nodeName, nodeIP: flags.nodeIP, runtime: flags.runtime, installDeps: flags.installDeps, dryRun: flags.dryRun, report: listener,
      });
      stop();
      printChecks(result.checks);
      if (result.outcome !== 'dry-run') {
        new NodeRegistry(dataDir).set(result.nodeName, { ...recordOf(flags, server), ...(flags.tunnel ? { tunnelPort: flags.tunnelPort ?? DEFAULT_TUNNEL_PORT } : {}) });
        if (flags.tunnel) say(`${result.nodeName} reaches the API through an SSH tunnel from this computer, which the control plane (kubelab serve, the app) keeps open while it runs`);
      }
      return result;
    } finally {
      await host.close();
    }
  } catch (e) {
    stop();
    if (e instanceof PreflightError) {
      printChecks(e.checks);
      throw new ProvisionError(`${e.host}: preflight failed (${e.checks.filter((c) => c.status === 'fail').map((c) => c.name).join(', ')}); nothing was changed`);
    }
    throw e;
  } finally {
    access.client.close();
  }
}

function printChecks(checks: CheckResult[]): void {
  for (const c of checks) {
    const mark = c.status === 'pass' ? '✓' : c.status === 'warn' ? '!' : '✗';
    process.stdout.write(`${mark} ${c.name.padEnd(11)} ${c.detail}${c.fix ? `\n  ${''.padEnd(11)} → ${c.fix}` : ''}\n`);
  }
}

/** NAME, STATUS, ADDRESS (how the laptop reaches it), AGENT (how it is kept running). */
export async function listNodes(dataDir: string): Promise<string> {
  const access = clusterAccess(dataDir);
  try {
    const registry = new NodeRegistry(dataDir).all();
    const nodes = (await access.client.list<Node>(gvr.nodes)).items.filter((n) => registry[n.metadata!.name!]);
    const rows = [['NAME', 'STATUS', 'SSH', 'SERVER']];
    for (const [name, record] of Object.entries(registry)) {
      const node = nodes.find((n) => n.metadata!.name === name);
      const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
      rows.push([name, !node ? 'NotRegistered' : ready?.status === 'True' ? 'Ready' : 'NotReady', record.address, record.server]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return `${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n')}\n`;
  } finally {
    access.client.close();
  }
}

export async function upgradeAll(dataDir: string, names: string[], password: string | undefined, bundle: () => Promise<Buffer>): Promise<string> {
  const access = clusterAccess(dataDir);
  const registry = new NodeRegistry(dataDir);
  const chosen = names.length > 0 ? names : Object.keys(registry.all());
  const { listener, stop } = progressDisplay();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const hosts = [];
  try {
    for (const name of chosen) {
      const record = registry.get(name);
      if (!record) throw new ProvisionError(`node ${name} was not added from this computer (kubelab node list)`);
      hosts.push({ nodeName: name, host: await connectNode(dataDir, flagsOf(record, password), say) });
    }
    const { upgraded, current } = await upgradeNodes({ client: access.client, bundle: await bundle(), targets: hosts, report: listener });
    stop();
    return `upgraded: ${upgraded.join(', ') || 'none'}; already current: ${current.join(', ') || 'none'}\n`;
  } finally {
    stop();
    for (const h of hosts) await h.host.close();
    access.client.close();
  }
}

export async function removeNamedNode(dataDir: string, name: string, opts: { force?: boolean; password?: string }): Promise<string> {
  const access = clusterAccess(dataDir);
  const registry = new NodeRegistry(dataDir);
  const record = registry.get(name);
  const { listener, stop } = progressDisplay();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  let host;
  try {
    if (record) {
      host = await connectNode(dataDir, flagsOf(record, opts.password), say).catch((e: Error) => {
        if (!opts.force) throw new ProvisionError(`${record.address}: ${e.message} (pass --force to delete the Node anyway and clean the machine by hand)`);
        return undefined;
      });
    } else if (!opts.force) {
      throw new ProvisionError(`node ${name} was not added from this computer: pass --force to delete only its Node`);
    }
    const { left } = await removeNode({ client: access.client, nodeName: name, host, report: listener });
    stop();
    registry.delete(name);
    return left.length === 0 ? `node ${name} removed; nothing left on the machine\n` : `node ${name} removed; left on the machine: ${left.join(', ')}\n`;
  } finally {
    stop();
    await host?.close();
    access.client.close();
  }
}

