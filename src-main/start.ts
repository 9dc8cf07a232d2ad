// `kubelab start` (npm start): the desktop app when Electron is installed, else the same UI in
// the browser. Also the shared pieces of browser mode that `kubelab serve` uses.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { builtinClientConfig, type ClientConfig } from './bridge/client-config.ts';
import { createUIExtension } from './bridge/ui-extension.ts';
import { uiURL } from './bridge/ui-url.ts';
import { defaultDataDir, startControlPlane } from './control-plane.ts';
import { argsToArgv, requestedNetwork, type AppArgs } from './electron/args.ts';
import { appRoot } from './paths.ts';
import type { SecretCipher } from './provision/ssh/secret-vault.ts';

export type StartArgs = AppArgs & {
  /** false: the API without controllers and scheduler (`serve --no-controllers`). */
  controllers?: boolean;
  /**
   * A keychain for remembered SSH secrets. Browser mode runs under plain Node, which has none;
   * tests give one to drive the UI that the desktop app shows with safeStorage.
   */
  keychain?: SecretCipher;
  /** The longest certificate the cluster CA signs (`serve --cluster-signing-duration`). */
  clusterSigningDurationSeconds?: number;
};

export async function start(args: StartArgs): Promise<void> {
  const electron = electronBinary();
  if (electron) {
    await ensureAppBuilt();
    await runElectron(electron, args);
    return;
  }
  console.log('kubelab: Electron is not installed here; serving the UI in the browser instead');
  const server = await startBrowserMode(args);
  console.log(`Kubelab ready at ${server.uiUrl}`);
  await untilSignalled();
  await server.close();
}

export interface BrowserModeServer {
  /** The API server's base URL (what kubeconfigs point at). */
  url: string;
  /** The URL to open: the UI, with the access token in the fragment. */
  uiUrl: string;
  /** The admin token and the cluster CA (PEM), for clients in the same process. */
  adminToken: string;
  caPem: string;
  close(): Promise<void>;
}

/** The control plane and the UI on one HTTPS port, as `kubelab serve` runs them. */
export async function startBrowserMode(args: StartArgs): Promise<BrowserModeServer> {
  const staticDir = await ensureRendererBuilt();
  // The extension is handed to the control plane before its URL and token exist.
  let provide!: (config: ClientConfig) => void;
  let fail!: (err: unknown) => void;
  const clientConfig = new Promise<ClientConfig>((resolve, reject) => {
    provide = resolve;
    fail = reject;
  });
  const ui = createUIExtension({ clientConfig, staticDir });
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  try {
    cp = await startControlPlane({
      dataDir: args.dataDir ?? defaultDataDir(),
      port: args.port ?? 6443,
      address: args.address ?? '127.0.0.1',
      network: requestedNetwork(args),
      advertiseAddress: args.advertiseAddress,
      extensions: [ui],
      simulateNodes: args.simulateNodes,
      controllers: args.controllers === false ? false : undefined,
      controllersInChildProcess: true,
      keychain: args.keychain,
      clusterSigningDurationSeconds: args.clusterSigningDurationSeconds,
    });
  } catch (err) {
    fail(err);
    await ui.close();
    throw err;
  }
  provide(builtinClientConfig(cp));
  return {
    url: cp.url,
    uiUrl: uiURL(cp.url, cp.adminToken),
    adminToken: cp.adminToken,
    caPem: cp.caPem,
    async close() {
      await ui.close();
      await cp.close();
    },
  };
}

let rendererBuild: Promise<string> | undefined;

/**
 * The built renderer's folder (out/renderer), building it first with vite when it is missing or
 * older than its sources. A checkout works without remembering a build step.
 */
export function ensureRendererBuilt(): Promise<string> {
  rendererBuild ??= buildRendererIfStale().finally(() => (rendererBuild = undefined));
  return rendererBuild;
}

async function buildRendererIfStale(): Promise<string> {
  const root = appRoot();
  const outDir = join(root, 'out', 'renderer');
  const built = mtime(join(outDir, 'index.html'));
  const sources = Math.max(newestMtime(join(root, 'src-renderer')), newestMtime(join(root, 'src-main', 'bridge', 'api')), mtime(join(root, 'src-main', 'bridge', 'protocol.ts')) ?? 0);
  if (built !== undefined && built >= sources) return outDir;
  const { build } = await import('vite');
  // Build beside and swap in, so that a server (or a parallel test) reading out/renderer never
  // sees a half-written folder.
  const tmp = join(root, 'out', `.renderer-${process.pid}-${Date.now()}`);
  try {
    await build({ configFile: join(root, 'src-renderer', 'vite.config.ts'), build: { outDir: tmp, emptyOutDir: true }, logLevel: 'warn' });
    rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
  } catch (err) {
    // Another process may have swapped its build in first; a complete folder is all we need.
    if (!existsSync(join(outDir, 'index.html'))) throw err;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return outDir;
}

/** The Electron binary's path, or undefined where it is not installed (CI, headless servers). */
function electronBinary(): string | undefined {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Builds main, preload and renderer (electron-vite) when out/main is missing or stale. */
async function ensureAppBuilt(): Promise<void> {
  const root = appRoot();
  const built = mtime(join(root, 'out', 'main', 'index.js'));
  const sources = Math.max(newestMtime(join(root, 'src-main')), newestMtime(join(root, 'src-renderer')));
  if (built !== undefined && built >= sources) return;
  console.log('kubelab: building the app…');
  const { build } = await import('electron-vite');
  await build({ configFile: join(root, 'electron.config.ts'), root, logLevel: 'warn' });
}

function runElectron(binary: string, args: StartArgs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [appRoot(), ...argsToArgv(args)], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      if (code === 0 || signal === 'SIGINT' || signal === 'SIGTERM') resolve();
      else reject(new Error(`the app exited with ${signal ?? `code ${code}`}`));
    });
  });
}

function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done).off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done).on('SIGTERM', done);
  });
}

function mtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  // A packaged app ships out/ without sources: nothing can be newer than the build.
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const t = mtime(join(entry.parentPath, entry.name));
    if (t !== undefined && t > newest) newest = t;
  }
  return newest;
}
