// The control plane in one process: the data folder (store, CA, admin token), the API server on
// HTTPS, the bootstrap objects every cluster has, and the in-process controllers. `kubelab
// serve`, `kubelab start` and the Electron main process all start it through here.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { openWalStore } from './store/wal-store.ts';
import { EncryptingStore } from './api/encryption/encrypting-store.ts';
import { ensureEncryptionConfig } from './api/encryption/encryption-config-file.ts';
import { transformerForKey } from './api/encryption/transformer-for-key.ts';
import { StoreLockedError, type Store } from './store/store.ts';
import { ensureCA, ensureClientCert, ensureServingCert } from './auth/ca.ts';
import { AgentConnector } from './api/node-proxy/agent-connector.ts';
import { getObject, getSharedObject } from './api/object-store.ts';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { ensureAdminToken } from './auth/tokens.ts';
import { TokenAuthenticator, unionAuthenticator } from './auth/authenticator.ts';
import type { NodeLinks } from './provision/node-links.ts';
import { authorizerChain, bootstrapAuthorizer, mastersAuthorizer, publicInfoAuthorizer } from './auth/authorizer.ts';
import { NodeAuthorizer } from './auth/node/node-authorizer.ts';
import { NodeRestriction } from './auth/node/node-restriction.ts';
import { admissionChain } from './api/admission/admission.ts';
import { rbacEscalation } from './api/admission/rbac-escalation.ts';
import { certificateAdmission } from './api/admission/certificates.ts';
import { NodeGraph } from './auth/node/node-graph.ts';
import { startRbac } from './auth/rbac/index.ts';
import { authorizationAPIGroup } from './api/authorization/group.ts';
import { BootstrapTokenAuthenticator } from './auth/bootstrap-token-authenticator.ts';
import { BootstrapTokenStore } from './auth/bootstrap-token-store.ts';
import { ClientCertAuthenticator } from './auth/client-cert-authenticator.ts';
import { NodeCredentialIssuer } from './auth/node-credential.ts';
import { serviceAccountTokens } from './auth/service-account/wiring.ts';
import { authenticationAPIGroup } from './auth/authentication-api.ts';
import { createApiServer } from './api/server.ts';
import type { HttpExtension } from './api/http-extension.ts';
import { ResourceRegistry } from './api/registry.ts';
import { resourceDefinitions } from './api/resources/index.ts';
import { IPRangeAllocator, PortRangeAllocator } from './api/allocator.ts';
import type { ApiContext } from './api/handlers/context.ts';
import { writeFileAtomic } from './util/files.ts';
import { KubeClient } from './client/index.ts';
import { bootstrapCluster, kubernetesServiceIP } from './bootstrap.ts';
import { startEndpointReconciler, type EndpointReconciler } from './endpoint-reconciler.ts';
import { recordClusterNetwork, resolveClusterNetwork } from './cluster-config/cluster-config-file.ts';
import type { ClusterNetwork } from './cluster-config/cluster-network.ts';
import { checkAdvertiseAddress, defaultAdvertiseAddress } from './cluster-config/advertise-address.ts';
import { reserveServiceAllocations } from './api/service-repair.ts';
import { ControllerManager } from './controllers/manager.ts';
import { controlLoops } from './controllers/control-loops.ts';
import { startControllerManagerProcess, type ControllerManagerProcess } from './controllers/controller-manager-process.ts';
import { adminKubeconfig } from './kubeconfig.ts';
import { DEFAULT_CLUSTER_SIGNING_DURATION_SECONDS, type ControllerConfig } from './controllers/context.ts';
import { HollowFleet, simulatedNodes, type HollowFleetOptions, type HollowNodeSpec } from './hollow/fleet.ts';
import type { MetricsSource } from './metrics/usage.ts';
import { metricsAPIGroup } from './metrics/api/group.ts';
import { AgentMetricsSource, connectorGet } from './metrics/agent-metrics-source.ts';
import { realClock, type Clock } from './util/clock.ts';
import { SecretVault, type SecretCipher } from './provision/ssh/secret-vault.ts';

export interface ControlPlaneOptions {
  dataDir: string;
  port: number;
  address: string;
  extensions?: HttpExtension[];
  log?: (line: string) => void;
  /**
   * The address ranges asked for (--cluster-cidr, --service-cidr, --node-cidr-mask-size): used
   * for a new cluster and recorded; an existing cluster must be asked for its own or nothing.
   */
  network?: Partial<ClusterNetwork>;
  /** Where pods reach the API (--advertise-address); default: see defaultAdvertiseAddress. */
  advertiseAddress?: string;
  /** The time of the API server and every controller (a FakeClock in tests). */
  clock?: Clock;
  /** Controller settings (grace periods, sync periods); false runs no controllers at all. */
  controllers?: Partial<ControllerConfig> | false;
  /**
   * Run the controllers and the scheduler in a child process (`kubelab controller-manager`), on
   * the defaults, instead of in this one. What `kubelab serve` and the app do; tests keep them
   * in-process to drive them with a fake clock.
   */
  controllersInChildProcess?: boolean;
  /** Hollow nodes to run in-process: a count (sim-1 … sim-N) or their specs. */
  simulateNodes?: number | HollowNodeSpec[];
  /** The longest certificate the cluster CA signs for CSRs and node joins (--cluster-signing-duration); default a year. */
  clusterSigningDurationSeconds?: number;
  /** How the hollow nodes behave (delays, intervals). */
  hollow?: Omit<HollowFleetOptions, 'client' | 'nodes' | 'clock'>;
  /** The OS keychain that SSH secrets may be remembered with (the desktop app's safeStorage). */
  keychain?: SecretCipher;
}

export interface ControlPlane {
  /** https://host:port of the API. */
  url: string;
  caPem: string;
  adminToken: string;
  dataDir: string;
  /** The cluster's address ranges, as recorded in the data folder. */
  network: ClusterNetwork;
  /** The address the `kubernetes` service's endpoints carry (undefined: none usable here). */
  advertiseAddress?: string;
  store: Store;
  /** A client with the admin token, for in-process use. */
  client: KubeClient;
  /** The controller manager (absent with controllers: false). */
  controllers?: ControllerManager;
  /** The in-process hollow nodes, when asked for. */
  fleet?: HollowFleet;
  /** Where the metrics.k8s.io API gets node and pod usage from. */
  metricsSources: MetricsSource[];
  /** HTTPS to the nodes' agents with the API server's kubelet client certificate. */
  agents: AgentConnector;
  /** The SSH passwords and passphrases remembered for the nodes (nothing without a keychain). */
  sshSecrets: SecretVault;
  close(): Promise<void>;
}

/** Where the cluster lives unless --data-dir says otherwise: the user's config folder. */
export function defaultDataDir(): string {
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Kubelab');
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Kubelab');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'kubelab');
}

function localAddresses(): string[] {
  const ips: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) ips.push(a.address);
  return ips;
}

/** The URL clients should use: a wildcard listen address is reached through loopback. */
function clientURL(address: string, port: number): string {
  const host = address === '0.0.0.0' || address === '::' || address === '' ? '127.0.0.1' : address;
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

interface ServerRecord {
  url: string;
}

export function readServerRecord(dataDir: string): ServerRecord | undefined {
  const path = join(dataDir, 'server.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ServerRecord) : undefined;
}

/** What node IPAM splits: the pod range into blocks of the mask size. */
function nodeIpamConfig(network: ClusterNetwork): Pick<ControllerConfig, 'podCIDR' | 'nodeCIDRMaskSize'> {
  return { podCIDR: network.clusterCIDR, nodeCIDRMaskSize: network.nodeCIDRMaskSize };
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sshSecrets = new SecretVault(opts.dataDir, opts.keychain, log);
  const clock = opts.clock ?? realClock;
  // Both checks come before anything is written: a refused start leaves the data folder as it was.
  const network = resolveClusterNetwork(opts.dataDir, opts.network);
  const advertiseAddress = opts.advertiseAddress !== undefined ? checkAdvertiseAddress(opts.advertiseAddress) : defaultAdvertiseAddress(opts.address);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const pkiDir = join(opts.dataDir, 'pki');
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const engine = await openWalStore({ dir: join(opts.dataDir, 'store'), log }).catch((e: unknown) => {
    // Name the folder the user gave, not the store inside it.
    throw e instanceof StoreLockedError ? new StoreLockedError(opts.dataDir, e.holder) : e;
  });
  let store: Store = engine;
  try {
    // Secrets (and what else the config names) are encrypted above the engine, as upstream does.
    store = new EncryptingStore(engine, transformerForKey(ensureEncryptionConfig(opts.dataDir)));
    // Recorded once the store's lock is ours, so two starts never race on a new folder.
    recordClusterNetwork(opts.dataDir, network);
    const ca = await ensureCA(pkiDir);
    // The CSR signer reads the CA from its files, in this process or the controller manager's.
    const signing = { clusterSigningCertFile: join(pkiDir, 'ca.crt'), clusterSigningKeyFile: join(pkiDir, 'ca.key'), clusterSigningDurationSeconds: opts.clusterSigningDurationSeconds ?? DEFAULT_CLUSTER_SIGNING_DURATION_SECONDS };
    const explicit = opts.address && !['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(opts.address) ? [opts.address] : [];
    const serving = await ensureServingCert(pkiDir, ca, {
      dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', hostname()],
      ips: [...new Set(['127.0.0.1', '::1', kubernetesServiceIP(network), ...(advertiseAddress ? [advertiseAddress] : []), ...explicit.filter((a) => /^[\d.]+$/.test(a)), ...localAddresses()])],
    });
    const adminToken = ensureAdminToken(opts.dataDir);
    const registry = new ResourceRegistry(resourceDefinitions);
    // What kube-apiserver calls kubelets with (kubeadm's apiserver-kubelet-client).
    const kubeletClient = await ensureClientCert(pkiDir, ca, 'apiserver-kubelet-client', 'CN=kube-apiserver-kubelet-client, O=system:masters');
    const nodes = registry.lookup('', 'v1', 'nodes')!.definition;
    const agents = new AgentConnector({ clientCert: kubeletClient, caPem: ca.certPem, node: async (name) => (await getObject(store, nodes, undefined, name))?.obj as Node | undefined });
    const api: ApiContext = {
      store,
      registry,
      allocators: { clusterIP: new IPRangeAllocator(network.serviceCIDR), nodePort: new PortRangeAllocator(30000, 32767) },
      now: () => new Date(clock.now()),
      log,
      agents,
    };
    await reserveServiceAllocations(api);
    const metricsSources: MetricsSource[] = [];
    const bootstrapTokens = new BootstrapTokenStore(store, registry.lookup('', 'v1', 'secrets')!.definition);
    const saTokens = serviceAccountTokens(pkiDir, store, registry, () => clock.now());
    api.serviceAccountTokens = saTokens.issuer;
    const authenticator = unionAuthenticator([
      new TokenAuthenticator([{ token: adminToken, user: { name: 'kubelab-admin', groups: ['system:masters', 'system:authenticated'] } }]),
      new BootstrapTokenAuthenticator({ secret: (id) => bootstrapTokens.read(id), now: () => clock.now() }),
      new ClientCertAuthenticator(),
      saTokens.authenticator,
    ]);
    // The pods bound to each node: what a node's credential may read (followed once the API is up).
    const nodeGraph = new NodeGraph();
    const rbac = await startRbac(store, registry, log);
    const authorizer = authorizerChain([mastersAuthorizer, new NodeAuthorizer(nodeGraph), bootstrapAuthorizer, publicInfoAuthorizer, rbac.authorizer]);
    const pods = registry.lookup('', 'v1', 'pods')!.definition;
    const nodeRestriction = new NodeRestriction(async (namespace, name) => (await getSharedObject(store, pods, namespace, name))?.obj as Pod | undefined);
    api.admit = admissionChain([nodeRestriction, rbacEscalation(rbac.escalationCheck(authorizer)), ...certificateAdmission(authorizer)]);
    const server = createApiServer({
      api,
      authenticator,
      authorizer,
      tls: { cert: serving.certPem, key: serving.keyPem, ca: ca.certPem },
      join: { caPem: ca.certPem, nodeCredentials: new NodeCredentialIssuer({ ca, durationSeconds: signing.clusterSigningDurationSeconds, consumeToken: (id) => bootstrapTokens.consume(id), log }) },
      extensions: opts.extensions,
      groups: [
        metricsAPIGroup({ store, registry, sources: metricsSources, clock }),
        authorizationAPIGroup(authorizer),
        authenticationAPIGroup({ authenticator, reviewForAudiences: (t, a) => saTokens.authenticator.reviewFor(t, a) }),
      ],
    });
    // Every connection, upgraded ones (exec, attach, port-forward, WebSocket) too: closing ends
    // them all, or server.close() would wait for the upgraded ones, which closeAllConnections() skips.
    const connections = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      connections.add(socket);
      socket.once('close', () => connections.delete(socket));
    });
    const closeServer = (): Promise<void> => {
      server.closeAllConnections();
      for (const socket of connections) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    };
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.address, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const url = clientURL(opts.address, port);
    writeFileAtomic(join(opts.dataDir, 'server.json'), JSON.stringify({ url }) + '\n', 0o600);
    const client = new KubeClient({ server: url, token: adminToken, ca: ca.certPem });
    await bootstrapCluster(client, network);
    await nodeGraph.start(client);
    // What the nodes' agents measure, scraped as metrics-server scrapes kubelets.
    const agentMetrics = new AgentMetricsSource({ client, get: connectorGet(agents), log });
    agentMetrics.start();
    metricsSources.push(agentMetrics);
    let endpointReconciler: EndpointReconciler | undefined;
    let controllers: ControllerManager | undefined;
    let controllerProcess: ControllerManagerProcess | undefined;
    let fleet: HollowFleet | undefined;
    let links: NodeLinks | undefined;
    const stopParts = async (): Promise<void> => {
      rbac.stop();
      nodeGraph.stop();
      endpointReconciler?.stop();
      await links?.stop();
      agentMetrics.stop();
      await fleet?.stop();
      controllers?.stop();
      await controllerProcess?.stop();
    };
    try {
      if (advertiseAddress) endpointReconciler = await startEndpointReconciler(client, { ip: advertiseAddress, port }, log);
      else log('no address pods can reach the API at (give --advertise-address): the kubernetes service has no endpoints');
      if (opts.controllers !== false && opts.controllersInChildProcess) {
        const kubeconfigPath = join(opts.dataDir, 'controller-manager.kubeconfig');
        writeFileAtomic(kubeconfigPath, adminKubeconfig(opts.dataDir, url), 0o600);
        controllerProcess = startControllerManagerProcess(kubeconfigPath, network, log, signing);
        await controllerProcess.ready;
      } else if (opts.controllers !== false) {
        // In-process controllers are a test's: its own settings (a tiny pod range) may override.
        controllers = new ControllerManager({ client, factories: controlLoops, clock, config: { ...nodeIpamConfig(network), ...signing, ...opts.controllers }, log });
        await controllers.start();
      }
      // The nodes added from this computer: their tunnels, and their API address when it moved.
      const { startNodeLinks } = await import('./provision/node-links.ts');
      links = await startNodeLinks({ dataDir: opts.dataDir, serverURL: url, log, secrets: sshSecrets });
      if (opts.simulateNodes) {
        const nodes = typeof opts.simulateNodes === 'number' ? simulatedNodes(opts.simulateNodes) : opts.simulateNodes;
        fleet = new HollowFleet({ ...opts.hollow, client, nodes, clock, log });
        await fleet.start();
        metricsSources.push(fleet);
      }
    } catch (e) {
      await stopParts();
      client.close();
      agents.close();
      void closeServer();
      throw e;
    }
    return {
      url,
      caPem: ca.certPem,
      adminToken,
      dataDir: opts.dataDir,
      network,
      advertiseAddress,
      store,
      client,
      controllers,
      fleet,
      metricsSources,
      agents,
      sshSecrets,
      async close() {
        await stopParts();
        client.close();
        agents.close();
        await closeServer();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
