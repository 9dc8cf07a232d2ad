// The controller manager as a child process of the API server (`kubelab controller-manager
// --kubeconfig FILE`), the way kube-controller-manager and kube-scheduler run beside
// kube-apiserver. It is restarted if it dies, and it exits by itself when its parent goes (the
// IPC channel closes), so no orphan keeps reconciling a cluster nobody serves.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ClusterNetwork } from '../cluster-config/cluster-network.ts';
import type { ControllerConfig } from './context.ts';
import { appRoot } from '../paths.ts';

export interface ControllerManagerProcess {
  /** Resolves when the child's informers have synced and its controllers run. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

const restartDelayMs = 1000;

/** What the CSR signer is given: the CA's files and the longest certificate it signs. */
export type SigningConfig = Required<Pick<ControllerConfig, 'clusterSigningCertFile' | 'clusterSigningKeyFile' | 'clusterSigningDurationSeconds'>>;

/** The child is told the pod range and the signing CA on its command line, as kube-controller-manager is. */
export function startControllerManagerProcess(kubeconfigPath: string, network: ClusterNetwork, log: (line: string) => void, signing: SigningConfig): ControllerManagerProcess {
  let child: ChildProcess | undefined;
  let stopping = false;
  let markReady!: () => void;
  let failReady!: (e: Error) => void;
  let isReady = false;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  const launch = (): void => {
    const c = spawn(process.execPath, [join(appRoot(), 'src-main/bin/kubelab.js'), 'controller-manager', '--kubeconfig', kubeconfigPath,
      '--cluster-cidr', network.clusterCIDR, '--node-cidr-mask-size', String(network.nodeCIDRMaskSize),
      '--cluster-signing-cert-file', signing.clusterSigningCertFile, '--cluster-signing-key-file', signing.clusterSigningKeyFile,
      '--cluster-signing-duration', `${signing.clusterSigningDurationSeconds}s`], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      // Electron's binary acts as plain Node with this; Node ignores it.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    child = c;
    let err = '';
    c.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (!isReady) err += text;
      for (const line of text.split('\n')) if (line) log(line);
    });
    c.on('message', (m: unknown) => {
      if ((m as { ready?: boolean }).ready && !isReady) {
        isReady = true;
        markReady();
      }
    });
    c.on('exit', (code, signal) => {
      child = undefined;
      if (stopping) return;
      if (!isReady) {
        failReady(new Error(`the controller manager exited (${signal ?? code}) before it was ready: ${err.trim().split('\n').pop() ?? ''}`));
        return;
      }
      log(`controller manager exited (${signal ?? code}); restarting it`);
      setTimeout(() => !stopping && launch(), restartDelayMs).unref();
    });
  };
  launch();
  return {
    ready,
    async stop() {
      stopping = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const killer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
