// The add-node wizard's join: `kubelab node add` driven from a stream instead of a terminal.
// The SSH credentials arrive in the opening call only and stay in this function: they are not
// logged and never sent back; the registry keeps how the node is reached, never a secret. Only
// when asked to remember, and once the node joined, its password or passphrase goes to the
// vault, encrypted with the OS keychain (provision/ssh/secret-vault.ts).
import { homedir } from 'node:os';
import type { JoinCheck, JoinNodeParams, NodeJoinMethods } from '../api/node-join.ts';
import * as check from '../check.ts';
import { JoinCancelled, JoinConversation } from '../join-conversation.ts';
import type { MethodTable } from '../method.ts';
import { ServiceError } from '../service-error.ts';
import { sshSecretsOf, type ServiceDeps } from './deps.ts';
import { chooseAuth } from '../../provision/cli/connect-node.ts';
import { apiAddress, clusterAccess, DEFAULT_TUNNEL_PORT, nodeServerURL, ProvisionError, type ClusterAccess } from '../../provision/cli/node-commands.ts';
import { NodeRegistry } from '../../provision/cli/node-registry.ts';
import { agentBundle } from '../../provision/cli/provision-cli.ts';
import { missingPackages } from '../../provision/install/packages.ts';
import { joinNode, PACKAGE_CHECKS, PreflightError, type JoinResult } from '../../provision/join/join-node.ts';
import { gatherFacts } from '../../provision/preflight/host-facts.ts';
import { step } from '../../provision/progress.ts';
import { connectSsh } from '../../provision/ssh/connect.ts';
import { HostKeyChangedError } from '../../provision/ssh/errors.ts';
import { KnownHosts } from '../../provision/ssh/known-hosts.ts';
import type { SshSession } from '../../provision/ssh/session.ts';
import type { NodeSecret, SecretVault } from '../../provision/ssh/secret-vault.ts';
import { parseSshAddress, sshHostLabel, sshLabel, type SshAuth, type SshTarget } from '../../provision/ssh/target.ts';

const M = 'joinNode';
const SECRET_MAX = 4096;

export function nodeJoinServices(deps: ServiceDeps): MethodTable<keyof NodeJoinMethods> {
  const { dataDir } = deps;
  return {
    sshKeychain: {
      check: (value) => (check.params(value ?? {}, 'sshKeychain'), {}),
      async run() {
        return dataDir ? sshSecretsOf(deps, dataDir).status : { available: false, reason: 'this window shows a cluster from a kubeconfig: Kubelab reaches no nodes over SSH' };
      },
    },
    joinNode: {
      check: checkJoinParams,
      async run(params, { session }) {
        if (!dataDir) throw new ServiceError('adding a node over SSH needs the built-in control plane: this window shows a cluster from a kubeconfig (join its nodes with its own tools, e.g. kubeadm join)', 400);
        const secrets = sshSecretsOf(deps, dataDir);
        const keychain = secrets.status;
        if (params.remember && !keychain.available) throw new ServiceError(`${M}: cannot remember the password: ${keychain.reason}`, 400);
        return session.openStream((handle) => {
          const talk = new JoinConversation((m) => handle.push(m));
          runJoin(dataDir, params, talk, secrets).then(
            () => handle.end(),
            (e: Error) => handle.end(e instanceof JoinCancelled ? undefined : e.message.split('\n')[0]),
          );
          return { receive: (m) => talk.receive(m), close: () => talk.cancel() };
        });
      },
    },
  };
}

/** Checks the form; a bad field is named, its value never repeated (it may be a secret). */
export function checkJoinParams(value: unknown): JoinNodeParams {
  const p = check.params(value, M);
  const host = check.string(p, 'host', M, 253).trim();
  const user = check.string(p, 'user', M, 64).trim();
  const port = check.optionalInteger(p, 'port', M, 1, 65535) ?? 22;
  // The same parser as `kubelab node add user@host:port`, so both refuse the same input.
  try {
    parseSshAddress(`${user}@${host.includes(':') ? `[${host}]` : host}:${port}`);
  } catch (e) {
    throw new ServiceError(`${M}: ${(e as Error).message}`, 400);
  }
  const a = check.params(p.auth, `${M} auth`);
  const kind = check.oneOf(a, 'kind', `${M} auth`, ['key', 'agent', 'password'] as const);
  const auth: JoinNodeParams['auth'] = kind === 'agent' ? { kind }
    : kind === 'password' ? { kind, password: check.string(a, 'password', `${M} auth`, SECRET_MAX) }
    : { kind, path: expandHome(check.string(a, 'path', `${M} auth`, 4096).trim()), ...optional('passphrase', check.optionalString(a, 'passphrase', `${M} auth`, SECRET_MAX)) };
  if (auth.kind === 'key' && !auth.path) throw new ServiceError(`${M}: the key file is empty`, 400);
  const remember = check.optionalBoolean(p, 'remember', M);
  if (remember && secretOf(auth) === undefined) throw new ServiceError(`${M}: remember: there is no password or key passphrase to remember`, 400);
  const jump = check.optionalString(p, 'jump', M, 300)?.trim();
  if (jump) {
    try {
      parseSshAddress(jump);
    } catch (e) {
      throw new ServiceError(`${M}: jump host: ${(e as Error).message}`, 400);
    }
  }
  const server = check.optionalString(p, 'server', M, 300)?.trim() || undefined;
  if (server !== undefined && !isHttpsUrl(server)) throw new ServiceError(`${M}: the API address must be an https URL, e.g. https://192.168.1.10:6443`, 400);
  return {
    host, port, user, auth,
    ...optional('server', server),
    ...optional('sudoPassword', check.optionalString(p, 'sudoPassword', M, SECRET_MAX) || undefined),
    ...optional('jump', jump || undefined),
    ...optional('nodeName', check.optionalName(p, 'nodeName', M)),
    ...optional('tunnel', check.optionalBoolean(p, 'tunnel', M)),
    ...optional('remember', remember),
  };
}

/** What the vault would keep of this login: the password, or the key file's passphrase. */
function secretOf(auth: JoinNodeParams['auth']): NodeSecret | undefined {
  if (auth.kind === 'password') return { password: auth.password };
  if (auth.kind === 'key' && auth.passphrase) return { keyPath: auth.path, passphrase: auth.passphrase };
  return undefined;
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const expandHome = (path: string) => (path === '~' || path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path);

/** The SSH target: the jump host takes the same key, or ssh-agent / default keys after a password (as the CLI does). */
export function targetOf(p: JoinNodeParams): SshTarget {
  const auth: SshAuth = p.auth;
  const jump = p.jump ? { ...parseSshAddress(p.jump), auth: p.auth.kind === 'password' ? chooseAuth({ address: p.jump }) : auth } : undefined;
  return { host: p.host, port: p.port ?? 22, user: p.user, auth, ...(jump ? { jump } : {}) };
}

async function runJoin(dataDir: string, p: JoinNodeParams, talk: JoinConversation, secrets: SecretVault): Promise<void> {
  const access = clusterAccess(dataDir);
  try {
    const tunnelPort = DEFAULT_TUNNEL_PORT;
    const server = p.tunnel ? `https://127.0.0.1:${tunnelPort}` : reachableServer(access, p.server);
    const target = targetOf(p);
    const host = await step(talk.report, sshLabel(target), 'connect', () => connect(dataDir, target, p, talk));
    try {
      // The join itself goes through the tunnel, the preflight's API probe included.
      if (p.tunnel) await host.forwardIn('127.0.0.1', tunnelPort, apiAddress(access.server));
      const result = await joinWithConsent(host, access, server, p, talk);
      talk.push({ type: 'checks', checks: result.checks.map(plainCheck) });
      if (result.outcome === 'dry-run') return;
      new NodeRegistry(dataDir).set(result.nodeName, {
        address: `${p.user}@${sshHostLabel(target)}`, auth: p.auth.kind, keyPath: p.auth.kind === 'key' ? p.auth.path : undefined, jump: p.jump, server,
        ...(p.tunnel ? { tunnelPort } : {}),
      });
      // A node added again without "remember" must not keep logging in with an older secret.
      const secret = p.remember ? secretOf(p.auth) : undefined;
      if (secret) secrets.remember(result.nodeName, secret);
      else secrets.forget(result.nodeName);
      talk.push({ type: 'joined', nodeName: result.nodeName, outcome: result.outcome, ...(result.service ? { service: result.service } : {}) });
    } finally {
      await host.close();
    }
  } finally {
    access.client.close();
  }
}

/** nodeServerURL, with the wizard's own ways out when only this computer reaches the API. */
function reachableServer(access: ClusterAccess, override: string | undefined): string {
  try {
    return nodeServerURL(access, override);
  } catch (e) {
    if (!(e instanceof ProvisionError)) throw e;
    throw new ProvisionError(`the control plane is served at ${access.server}, which other machines cannot reach: choose "Reach the API through an SSH tunnel", give the API address the node reaches, or serve it on an address other machines reach (kubelab serve --address 0.0.0.0)`);
  }
}

async function connect(dataDir: string, target: SshTarget, p: JoinNodeParams, talk: JoinConversation): Promise<SshSession> {
  try {
    return await connectSsh(target, {
      knownHosts: KnownHosts.inDataDir(dataDir),
      confirmHostKey: (q) => talk.ask({ type: 'host-key', host: q.host, port: q.port, key: { algorithm: q.algorithm, fingerprint: q.fingerprint } }),
      sudoPassword: async () => p.sudoPassword ?? (p.auth.kind === 'password' ? p.auth.password : undefined),
    });
  } catch (e) {
    if (e instanceof HostKeyChangedError) {
      talk.push({ type: 'host-key-changed', host: e.host, pinned: { algorithm: e.pinned.algorithm, fingerprint: e.pinned.fingerprint }, offered: { algorithm: e.offered.algorithm, fingerprint: e.offered.fingerprint } });
    }
    throw e;
  }
}

/**
 * The join; when preflight fails only on what packages fix, the person is asked, and with a yes
 * the join runs again with the packages installed first (`kubelab node add --install-deps`).
 */
async function joinWithConsent(host: SshSession, access: ClusterAccess, serverURL: string, p: JoinNodeParams, talk: JoinConversation): Promise<JoinResult> {
  const bundle = await agentBundle();
  const join = (installDeps: boolean) => joinNode({ host, client: access.client, serverURL, bundle, tokens: access.tokens, nodeName: p.nodeName, installDeps, report: talk.report });
  try {
    return await join(false);
  } catch (e) {
    if (!(e instanceof PreflightError)) throw e;
    talk.push({ type: 'checks', checks: e.checks.map(plainCheck) });
    const offer = await packageOffer(host, e.checks);
    if (!offer || !(await talk.ask({ type: 'packages', ...offer }))) throw refused(e);
    try {
      return await join(true);
    } catch (again) {
      if (again instanceof PreflightError) talk.push({ type: 'checks', checks: again.checks.map(plainCheck) });
      throw again instanceof PreflightError ? refused(again) : again;
    }
  }
}

/** The packages that fix every failed check, or undefined when some failure is not a package's. */
async function packageOffer(host: SshSession, checks: JoinCheck[]): Promise<{ manager: string; packages: string[] } | undefined> {
  if (checks.some((c) => c.status === 'fail' && !PACKAGE_CHECKS.has(c.name))) return undefined;
  const { facts } = await gatherFacts(host);
  const packages = missingPackages(facts);
  return facts.packageManager && packages.length > 0 ? { manager: facts.packageManager, packages } : undefined;
}

const refused = (e: PreflightError) => new Error(`${e.host}: preflight failed (${e.checks.filter((c) => c.status === 'fail').map((c) => c.name).join(', ')}); nothing was changed`);

const plainCheck = (c: JoinCheck): JoinCheck => ({ name: c.name, status: c.status, detail: c.detail, ...(c.fix ? { fix: c.fix } : {}) });
