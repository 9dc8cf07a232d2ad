// Joining a machine, in k0sctl's phases: gather facts → validate → stage → install → wait for
// Ready → clean up the token. The SSH session is already open (the connect phase is the
// caller's: it owns the credentials). A dry run stops after validate. Each phase reports its
// duration; a failure after something was written takes back what this run wrote and says what
// could not be taken back.
import { createHash } from 'node:crypto';
import type { Node } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { apiProbeScript, parsePeerRoute, peerRouteScript, runChecks, type CheckResult, type PeerRoute } from '../preflight/checks.ts';
import { gatherFacts, type HostFacts } from '../preflight/host-facts.ts';
import { agentService, type AgentService } from '../install/agent-service.ts';
import { NODE_PATHS, type AgentSettings } from '../install/node-layout.ts';
import { installCommand, missingPackages } from '../install/packages.ts';
import { step, type ProgressListener } from '../progress.ts';
import type { RemoteHost } from '../remote-host.ts';
import { removePaths, root } from './remote-commands.ts';

/** Makes and forgets the one-time join tokens (auth/bootstrap-token.ts on the control plane). */
export interface JoinTokens {
  create(description: string): Promise<{ token: string; id: string }>;
  remove(id: string): Promise<void>;
}

export interface JoinOptions {
  host: RemoteHost;
  /** The admin client of the control plane. */
  client: KubeClient;
  /** The API server as the node reaches it. */
  serverURL: string;
  /** The agent bundle (out/agent/kubelab-agent.js). */
  bundle: Buffer;
  tokens: JoinTokens;
  nodeName?: string;
  nodeIP?: string;
  runtime?: 'runc' | 'crun';
  agentPort?: number;
  /** The user's consent to install missing packages with the node's package manager. */
  installDeps?: boolean;
  dryRun?: boolean;
  readyTimeoutMs?: number;
  report?: ProgressListener;
}

export type JoinOutcome = 'joined' | 'already-joined' | 'repaired' | 'dry-run';

export interface JoinResult {
  nodeName: string;
  outcome: JoinOutcome;
  checks: CheckResult[];
  /** How the agent is kept running on the host. */
  service?: string;
}

/** Preflight said no: the failed checks are in `checks`. */
export class PreflightError extends Error {
  constructor(readonly host: string, readonly checks: CheckResult[]) {
    const failed = checks.filter((c) => c.status === 'fail');
    super(`${host}: preflight failed: ${failed.map((c) => `${c.name}: ${c.detail} (${c.fix})`).join('; ')}`);
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function joinNode(o: JoinOptions): Promise<JoinResult> {
  const report = o.report ?? (() => undefined);
  const label = o.host.label;
  const phase = <T>(name: string, work: () => Promise<T>) => step(report, label, name, work);

  const gathered = await phase('facts', () => gatherFacts(o.host));
  const nodeName = (o.nodeName ?? gathered.facts.hostname).toLowerCase();
  const existing = await o.client.get<Node>(gvr.nodes, undefined, nodeName).catch(() => undefined);
  const mayInstall = o.installDeps === true && !o.dryRun;
  let facts = gathered.facts;
  let checks = await phase('validate', async () => {
    const found = await preflight(o, gathered, nodeName, existing);
    if (failed(found) && !mayInstall) throw new PreflightError(label, found);
    return found;
  });
  if (failed(checks)) ({ facts, checks } = await installMissing(o, facts, checks, nodeName, existing, phase));
  if (o.dryRun) return { nodeName, outcome: 'dry-run', checks };

  // A node joined before keeps the --node-ip it was installed with unless told another.
  const installedIP = isSameMachine(existing, facts) ? await installedNodeIP(o.host, agentService(facts.init, { server: '', nodeName, nodePath: '' })) : undefined;
  const settings: AgentSettings = { server: o.serverURL, nodeName, nodeIP: o.nodeIP ?? installedIP, runtime: o.runtime, nodePath: facts.commands.node! };
  const service = agentService(facts.init, settings);
  if (isSameMachine(existing, facts) && ready(existing) && (await isCurrent(o.host, service, o.bundle))) {
    report({ host: label, step: 'install', status: 'skipped', detail: `${nodeName} is already joined and its agent is current` });
    return { nodeName, outcome: 'already-joined', checks, service: service.summary };
  }
  const staged = `${NODE_PATHS.bundle}.new`;
  await phase('stage', () => o.host.upload(o.bundle, staged, { sudo: true, mode: 0o644 }));
  const token = await o.tokens.create(`kubelab node add ${nodeName}`);
  try {
    await phase('install', () => install(o.host, service, staged, token.token));
    await phase('ready', () => waitForReady(o.client, nodeName, o.readyTimeoutMs ?? 60_000));
  } catch (e) {
    const left = await rollback(o.host, service, existing !== undefined);
    // A Node this run's agent registered goes too: the cluster is left as the machine is.
    if (!existing) await o.client.delete(gvr.nodes, undefined, nodeName).catch(() => undefined);
    throw new Error(`${(e as Error).message}${left ? `; left on ${label}: ${left}` : existing ? '' : `; ${label} was left as it was`}`);
  } finally {
    await phase('cleanup', async () => {
      await o.tokens.remove(token.id).catch(() => undefined);
      await root(o.host, `rm -f ${NODE_PATHS.tokenFile}`, 'removing the join token');
    });
  }
  return { nodeName, outcome: existing ? 'repaired' : 'joined', checks, service: service.summary };
}

const failed = (checks: CheckResult[]) => checks.some((c) => c.status === 'fail');
/** The checks a package can fix. */
export const PACKAGE_CHECKS = new Set(['node', 'runtime', 'iproute2', 'iptables', 'util-linux', 'cni']);

async function preflight(o: JoinOptions, gathered: { facts: HostFacts; clockSkewMs: number }, nodeName: string, existing: Node | undefined): Promise<CheckResult[]> {
  const { facts, clockSkewMs } = gathered;
  const nodes = (await o.client.list<Node>(gvr.nodes)).items;
  const results = runChecks({
    facts, nodeName, clockSkewMs, agentPort: o.agentPort ?? 10250,
    cluster: { nodes: nodes.map((n) => ({ name: n.metadata!.name!, machineID: n.status?.nodeInfo?.machineID })) },
    apiProbe: facts.commands.node ? await probeApi(o.host, o.serverURL) : undefined,
    peers: facts.commands.ip ? await probePeers(o.host, nodes.filter((n) => n.metadata?.name !== nodeName)) : undefined,
  }, o.runtime);
  // The agent of a node already joined holds the port.
  const rejoin = isSameMachine(existing, facts);
  return results.map((c) => (rejoin && c.name === 'ports' && c.status === 'fail' ? { name: c.name, status: 'pass' as const, detail: `${o.agentPort ?? 10250}: this node's agent` } : c));
}

/**
 * With the user's consent: when every failed check is one a package fixes, installs the packages
 * with the node's own manager and checks again; otherwise (or still failing) a PreflightError.
 */
async function installMissing(
  o: JoinOptions, facts: HostFacts, checks: CheckResult[], nodeName: string, existing: Node | undefined,
  phase: <T>(name: string, work: () => Promise<T>) => Promise<T>,
): Promise<{ facts: HostFacts; checks: CheckResult[] }> {
  const packages = missingPackages(facts, o.runtime);
  if (!facts.packageManager || packages.length === 0 || checks.some((c) => c.status === 'fail' && !PACKAGE_CHECKS.has(c.name))) throw new PreflightError(o.host.label, checks);
  await phase(`packages: ${packages.join(' ')}`, () => root(o.host, installCommand(facts.packageManager!, packages), `installing ${packages.join(' ')}`, 600_000));
  const again = await gatherFacts(o.host);
  const after = await phase('validate', async () => {
    const found = await preflight(o, again, nodeName, existing);
    if (failed(found)) throw new PreflightError(o.host.label, found);
    return found;
  });
  return { facts: again.facts, checks: after };
}

async function probeApi(host: RemoteHost, serverURL: string): Promise<{ ok: boolean; detail: string }> {
  const r = await host.run(apiProbeScript(serverURL), { timeoutMs: 15_000 });
  const said = r.stdout.trim().split('\n').at(-1) || r.stderr.trim().split('\n').at(-1) || `exit ${r.code}`;
  return { ok: r.code === 0, detail: r.code === 0 ? `${serverURL} answers (${said})` : `${serverURL} unreachable from the host: ${said}` };
}

/** How the host routes to every other node's InternalIP. */
async function probePeers(host: RemoteHost, nodes: Node[]): Promise<PeerRoute[]> {
  const peers = nodes.flatMap((n) => {
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? [{ node: n.metadata!.name!, ip }] : [];
  });
  if (peers.length === 0) return [];
  const lines = (await host.run(peerRouteScript(peers.map((p) => p.ip)), { timeoutMs: 15_000 })).stdout.split('\n');
  return peers.map((p, i) => ({ ...p, via: parsePeerRoute(lines[i] ?? '') }));
}

function isSameMachine(node: Node | undefined, facts: HostFacts): boolean {
  return node !== undefined && facts.machineId !== '' && node.status?.nodeInfo?.machineID === facts.machineId;
}

const ready = (n: Node | undefined) => n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** The agent runs, from the same bundle. */
/**
 * The agent runs, from the same bundle, with the same service files: a changed API address (the
 * laptop moved) or node IP makes a different service, and the join repairs it.
 */
async function isCurrent(host: RemoteHost, service: AgentService, bundle: Buffer): Promise<boolean> {
  const files = [NODE_PATHS.bundle, ...service.files.map((f) => f.path)];
  const r = await host.run(`${service.isActive} && sha256sum ${files.join(' ')}`, { sudo: true });
  const want = [bundle, ...service.files.map((f) => Buffer.from(f.content))].map(sha256);
  const have = r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
  return r.code === 0 && want.every((d, i) => have[i] === d);
}

/** The --node-ip in the installed service file (quoted or not), if any. */
async function installedNodeIP(host: RemoteHost, service: AgentService): Promise<string | undefined> {
  const r = await host.run(`cat ${service.files.map((f) => f.path).join(' ')} 2>/dev/null`, { sudo: true });
  return /--node-ip'? '?([0-9A-Fa-f.:]+)/.exec(r.stdout)?.[1];
}

/** Puts the staged bundle in place, writes the token and the service, and (re)starts it. */
async function install(host: RemoteHost, service: AgentService, staged: string, token: string): Promise<void> {
  await root(host, `mkdir -p ${NODE_PATHS.configDir} ${NODE_PATHS.stateDir} ${NODE_PATHS.logDir} && chmod 700 ${NODE_PATHS.configDir}`, 'making the agent folders');
  // Over SFTP, never on a command line.
  await host.upload(Buffer.from(`${token}\n`), NODE_PATHS.tokenFile, { sudo: true, mode: 0o600 });
  for (const f of service.files) await host.upload(Buffer.from(f.content), f.path, { sudo: true, mode: f.mode });
  await root(host, `${service.stop} >/dev/null 2>&1; mv -f ${staged} ${NODE_PATHS.bundle} && ${service.start}`, 'starting the agent');
}

/** Waits for the Node to be Ready, polling (the join is short; a watch adds nothing). */
async function waitForReady(client: KubeClient, nodeName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const node = await client.get<Node>(gvr.nodes, undefined, nodeName).catch(() => undefined);
    if (ready(node)) return;
    if (Date.now() > deadline) throw new Error(`node ${nodeName} was not Ready after ${Math.round(timeoutMs / 1000)} s${node ? '' : ' (it never registered: see the agent log)'}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * After a failed install: stop and remove what this run wrote. A node that was joined before
 * keeps its state folder (its credential and pods); a new one loses everything. Returns what
 * could not be removed, or ''.
 */
async function rollback(host: RemoteHost, service: AgentService, wasJoined: boolean): Promise<string> {
  const ours = [`${NODE_PATHS.bundle}.new`, NODE_PATHS.tokenFile];
  if (wasJoined) return (await removePaths(host, ours).catch(() => ours)).join(', ');
  await host.run(`${service.disable} >/dev/null 2>&1; true`, { sudo: true }).catch(() => undefined);
  // The agent may have started: its own reset takes back what it made before its files go.
  await host.run(`[ -f ${NODE_PATHS.bundle} ] && node ${NODE_PATHS.bundle} reset --state-dir ${NODE_PATHS.stateDir} >/dev/null 2>&1; true`, { sudo: true, timeoutMs: 120_000 }).catch(() => undefined);
  const paths = [...ours, NODE_PATHS.libDir, ...service.paths, NODE_PATHS.stateDir, NODE_PATHS.logDir, NODE_PATHS.configDir];
  return (await removePaths(host, paths).catch(() => paths)).join(', ');
}
