// `kubelab lab up --nodes N` and `kubelab lab down`: a cluster on one Linux box. The test hosts
// (provision/lab/: network namespaces on a bridge, each with its own sshd) are bootstrapped
// through the very same SSH path as a real machine; the control plane of --data-dir is used when
// it already listens where the hosts reach it, else started for the lab on the bridge's address.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { recordedClusterNetwork } from '../../cluster-config/cluster-config-file.ts';
import { readServerRecord } from '../../control-plane.ts';
import { appRoot } from '../../paths.ts';
import { joinNode } from '../join/join-node.ts';
import { removeNode } from '../join/remove-node.ts';
import { clusterRanges, ensureBlackholeRoutes, removeBlackholeRoutes } from '../lab/blackhole-routes.ts';
import { createTestHosts, isClean, leftovers, removeTestHosts, type TestLab } from '../lab/test-hosts.ts';
import { connectSsh } from '../ssh/connect.ts';
import { hostKeyOf } from '../ssh/host-key.ts';
import { KnownHosts } from '../ssh/known-hosts.ts';
import type { SshSession } from '../ssh/session.ts';
import { clusterAccess, ProvisionError } from './node-commands.ts';
import { NodeRegistry } from './node-registry.ts';
import { progressDisplay } from './progress-display.ts';

const DEFAULT_LAB = 'kl';
const labDir = (dataDir: string) => join(dataDir, 'lab');
const labNameFile = (dataDir: string) => join(labDir(dataDir), 'name');
/** The lab's name (its hosts' and interfaces' prefix), as lab up recorded it. */
const labName = (dataDir: string): string => (existsSync(labNameFile(dataDir)) ? readFileSync(labNameFile(dataDir), 'utf8').trim() : DEFAULT_LAB);
const servePidFile = (dataDir: string) => join(labDir(dataDir), 'serve.pid');
const labKeyPath = (dataDir: string) => join(labDir(dataDir), 'id_ed25519');
/** The blackhole routes lab up added (lab down removes only those). */
const routesFile = (dataDir: string) => join(labDir(dataDir), 'blackhole-routes.json');

export interface LabUpOptions {
  nodes: number;
  /** The port of a control plane started for the lab (6443; 0 for any free one). */
  port?: number;
  /** The lab's name (default kl, or the one this data folder's lab has). */
  name?: string;
}

export async function labUp(dataDir: string, opts: LabUpOptions, bundle: () => Promise<Buffer>): Promise<string> {
  const { listener, stop } = progressDisplay();
  mkdirSync(labDir(dataDir), { recursive: true, mode: 0o700 });
  let lab: TestLab | undefined;
  try {
    // Before any pod exists: cluster addresses must never leave the machine. The ranges are those
    // of the cluster in dataDir (the defaults for one the lab is about to create).
    const routes = ensureBlackholeRoutes(clusterRanges(recordedClusterNetwork(dataDir)));
    if (routes.length > 0) writeFileSync(routesFile(dataDir), `${JSON.stringify(routes)}\n`);
    const name = opts.name ?? labName(dataDir);
    writeFileSync(labNameFile(dataDir), `${name}\n`);
    lab = await createTestHosts({ lab: name, count: opts.nodes, dir: labDir(dataDir), report: listener });
    pinLabHosts(dataDir, lab);
    const server = await controlPlaneFor(dataDir, lab.gateway, opts.port ?? 6443);
    const access = clusterAccess(dataDir);
    const registry = new NodeRegistry(dataDir);
    const agent = await bundle();
    try {
      const joined = await Promise.all(lab.hosts.map(async (h) => {
        const host = await connectLabHost(dataDir, h.address);
        try {
          const result = await joinNode({ host, client: access.client, serverURL: server, bundle: agent, tokens: access.tokens, nodeName: h.hostname, nodeIP: h.address, report: listener });
          registry.set(result.nodeName, { address: `root@${h.address}`, auth: 'key', keyPath: lab!.keyPath, server, lab: true });
          return `${result.nodeName} (${h.address}): ${result.outcome}`;
        } finally {
          await host.close();
        }
      }));
      stop();
      return `${joined.join('\n')}\nlab up: ${lab.hosts.length} nodes on ${lab.bridge} (${lab.subnet}); the API at ${server}: kubelab kubeconfig --data-dir ${dataDir} > lab.kubeconfig\n`;
    } finally {
      access.client.close();
    }
  } finally {
    stop();
  }
}

export async function labDown(dataDir: string): Promise<string> {
  const { listener, stop } = progressDisplay();
  const registry = new NodeRegistry(dataDir);
  const lines: string[] = [];
  try {
    const labNodes = Object.entries(registry.all()).filter(([, r]) => r.lab === true);
    if (labNodes.length > 0 && existsSync(join(dataDir, 'admin.token'))) {
      const access = clusterAccess(dataDir);
      try {
        for (const [name, record] of labNodes) {
          const address = record.address.replace(/^root@/, '');
          const host = await connectLabHost(dataDir, address).catch(() => undefined);
          try {
            // The hosts are cleaned even when the control plane is gone; the lab goes anyway.
            const { left } = await removeNode({ client: access.client, nodeName: name, host, report: listener, drainTimeoutMs: 60_000, apiOptional: true });
            if (left.length > 0) lines.push(`${name}: left ${left.join(', ')}`);
          } catch (e) {
            lines.push(`${name}: ${(e as Error).message}`);
          } finally {
            await host?.close();
          }
          registry.delete(name);
        }
      } finally {
        access.client.close();
      }
    }
    const left = await removeTestHosts(labName(dataDir), labDir(dataDir));
    stopLabControlPlane(dataDir);
    if (existsSync(routesFile(dataDir))) {
      removeBlackholeRoutes(JSON.parse(readFileSync(routesFile(dataDir), 'utf8')) as string[]);
      rmSync(routesFile(dataDir));
    }
    stop();
    if (!isClean(left)) lines.push(`test hosts: could not remove ${JSON.stringify(left)}`);
    return `${lines.length > 0 ? `${lines.join('\n')}\n` : ''}lab down: ${isClean(left) && lines.length === 0 ? 'nothing left' : 'see above'}\n`;
  } finally {
    stop();
  }
}

/** What a lab left (for tests): hosts, and the control plane the lab started. */
export async function labLeftovers(dataDir: string) {
  return leftovers(labName(dataDir), labDir(dataDir));
}

/** Root on a test host with the lab's key; its host key was pinned when the lab made it. */
export function connectLabHost(dataDir: string, address: string): Promise<SshSession> {
  return connectSsh({ host: address, user: 'root', auth: { kind: 'key', path: labKeyPath(dataDir) } }, { knownHosts: KnownHosts.inDataDir(dataDir) });
}

/** The lab made the hosts: their keys are the ones to trust (a host made again has a new one). */
export function pinLabHosts(dataDir: string, lab: TestLab): void {
  const known = KnownHosts.inDataDir(dataDir);
  for (const h of lab.hosts) known.pin(h.address, h.sshPort, hostKeyOf(Buffer.from(h.hostKey.split(' ')[1]!, 'base64')));
}

/** The API URL the hosts use: the running control plane when they reach it, else one started here. */
export async function controlPlaneFor(dataDir: string, gateway: string, port: number): Promise<string> {
  const record = readServerRecord(dataDir);
  if (record && (await answers(record.url))) {
    const viaBridge = `https://${gateway}:${new URL(record.url).port || 443}`;
    if (await answers(viaBridge)) return viaBridge;
    throw new ProvisionError(`the control plane of ${dataDir} runs at ${record.url}, which the lab's hosts cannot reach: stop it (the lab then starts its own), or serve it with --address 0.0.0.0`);
  }
  const log = openSync(join(labDir(dataDir), 'serve.log'), 'a');
  const child = spawn(process.execPath, [join(appRoot(), 'src-main', 'bin', 'kubelab.js'), 'serve', '--data-dir', dataDir, '--address', gateway, '--port', String(port)], {
    detached: true, stdio: ['ignore', log, log],
  });
  child.unref();
  closeSync(log);
  writeFileSync(servePidFile(dataDir), `${child.pid}\n`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = readServerRecord(dataDir)?.url;
    if (url && new URL(url).hostname === gateway && (await answers(url))) return url;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new ProvisionError(`the lab's control plane did not start (see ${join(labDir(dataDir), 'serve.log')})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function stopLabControlPlane(dataDir: string): void {
  if (!existsSync(servePidFile(dataDir))) return;
  const pid = Number(readFileSync(servePidFile(dataDir), 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch { /* already gone */ }
  rmSync(servePidFile(dataDir), { force: true });
}

/** /healthz answers 200 (the CA is checked by the join token; here only liveness matters). */
export function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false)).on('timeout', () => req.destroy());
    req.end();
  });
}
