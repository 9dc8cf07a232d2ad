// Real etcd for tests: Debian's /usr/bin/etcd (3.4) on loopback, on free ports, in a temp folder;
// one member or a 3-member cluster (--initial-cluster). Optionally TLS on the client port with
// client-certificate auth, certificates from the project's own CA (src-main/auth/ca.ts). stop()
// ends every member and removes the folder.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCA, ensureClientCert, issueCertificate } from '../../../src-main/auth/ca.ts';

export const ETCD_BINARY = '/usr/bin/etcd';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface EtcdTls {
  /** PEM: the CA, and a client certificate it signed (CN=kubelab-test). */
  ca: string;
  cert: string;
  key: string;
}

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  /** The member's log, for a failing test's message. */
  output: string[];
  /** kill -9, and wait until it is gone. */
  kill(): Promise<void>;
  alive(): boolean;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** Every member's client URL. */
  endpoints: string[];
  tls?: EtcdTls;
  /** The index of the member that leads now (asks each live member's status). */
  leader(): Promise<number>;
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  /** 1 (default) or 3. */
  members?: number;
  /** Serve clients over TLS and require a client certificate. */
  tls?: boolean;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** POSTs to the member's gRPC gateway (plain HTTP or with the client certificate). */
async function gateway(url: string, path: string, tls: EtcdTls | undefined): Promise<unknown> {
  if (!tls) {
    const res = await fetch(`${url}${path}`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}${path}`, { method: 'POST', ca: tls.ca, cert: tls.cert, key: tls.key, timeout: 1000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode}`));
        else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${path}: timeout`)));
    req.end('{}');
  });
}

interface Status {
  header: { member_id: string };
  leader: string;
}

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdCluster> {
  const count = options.members ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'kubelab-etcd-'));
  const processes: ChildProcess[] = [];
  let tls: EtcdTls | undefined;
  const stop = async () => {
    await Promise.all(processes.map((p) => stopProcess(p)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const tlsFlags: string[] = [];
    if (options.tls) {
      const ca = await ensureCA(dir, { file: 'ca', cn: 'etcd-test-ca' });
      // Server and client auth both: etcd's own gRPC gateway dials the member with its serving
      // certificate when client certificates are required.
      const server = await issueCertificate(ca, { subject: 'CN=etcd', sans: { dns: ['localhost'], ips: ['127.0.0.1'] }, usages: [SERVER_AUTH, CLIENT_AUTH], days: 1 });
      await writeFile(join(dir, 'etcd-server.crt'), server.certPem);
      await writeFile(join(dir, 'etcd-server.key'), server.keyPem, { mode: 0o600 });
      const client = await ensureClientCert(dir, ca, 'etcd-client', 'CN=kubelab-test');
      tls = { ca: ca.certPem, cert: client.certPem, key: client.keyPem };
      tlsFlags.push(`--cert-file=${join(dir, 'etcd-server.crt')}`, `--key-file=${join(dir, 'etcd-server.key')}`);
      tlsFlags.push(`--trusted-ca-file=${join(dir, 'ca.crt')}`, '--client-cert-auth');
    }
    const scheme = options.tls ? 'https' : 'http';
    const ports = new Set<number>();
    while (ports.size < 2 * count) ports.add(await freePort());
    const [...free] = ports;
    const specs = Array.from({ length: count }, (_, i) => ({
      name: `m${i}`,
      clientUrl: `${scheme}://127.0.0.1:${free[2 * i]}`,
      peerUrl: `http://127.0.0.1:${free[2 * i + 1]}`,
    }));
    const initialCluster = specs.map((s) => `${s.name}=${s.peerUrl}`).join(',');
    const token = `kubelab-test-${process.pid}-${Date.now()}`;
    const members: EtcdMember[] = specs.map((spec) => {
      const output: string[] = [];
      const child = spawn(
        ETCD_BINARY,
        [
          `--name=${spec.name}`,
          `--data-dir=${join(dir, spec.name)}`,
          `--listen-client-urls=${spec.clientUrl}`,
          `--advertise-client-urls=${spec.clientUrl}`,
          `--listen-peer-urls=${spec.peerUrl}`,
          `--initial-advertise-peer-urls=${spec.peerUrl}`,
          `--initial-cluster=${initialCluster}`,
          '--initial-cluster-state=new',
          `--initial-cluster-token=${token}`,
          // Fast elections, so a test that kills the leader waits about a second.
          '--heartbeat-interval=50',
          '--election-timeout=500',
          '--logger=zap',
          '--log-level=warn',
          ...tlsFlags,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      processes.push(child);
      const keep = (chunk: Buffer) => {
        output.push(chunk.toString('utf8'));
        if (output.length > 200) output.shift();
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      child.on('error', (err) => output.push(`${ETCD_BINARY}: ${err.message}\n`));
      return {
        ...spec,
        output,
        alive: () => child.exitCode === null && child.signalCode === null,
        kill: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
        },
      };
    });
    const cluster: EtcdCluster = {
      members,
      endpoints: members.map((m) => m.clientUrl),
      tls,
      stop,
      async leader() {
        for (const [i, m] of members.entries()) {
          if (!m.alive()) continue;
          const status = (await gateway(m.clientUrl, '/v3/maintenance/status', tls).catch(() => undefined)) as Status | undefined;
          if (status?.leader && status.leader !== '0' && status.header.member_id === status.leader) return i;
        }
        throw new Error('no member leads');
      },
    };
    await waitReady(cluster);
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Waits until every member answers and one of them leads. */
async function waitReady(cluster: EtcdCluster, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const m of cluster.members) {
    for (;;) {
      if (!m.alive()) throw new Error(`etcd ${m.name} exited:\n${m.output.join('')}`);
      const status = (await gateway(m.clientUrl, '/v3/maintenance/status', cluster.tls).catch(() => undefined)) as Status | undefined;
      if (status?.leader && status.leader !== '0') break;
      if (Date.now() > deadline) throw new Error(`etcd ${m.name} did not become ready:\n${m.output.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
