// The desktop app's main process: the control plane in-process, the UI bridge over IPC, and one
// window on the built renderer. The only file (with ipc.ts, keychain.ts and preload.ts) that knows
// Electron.
import { app, BrowserWindow, ipcMain, safeStorage, session, shell } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ClusterSwitch } from '../bridge/cluster-switch.ts';
import { builtinClientConfig } from '../bridge/client-config.ts';
import { defaultDataDir, startControlPlane } from '../control-plane.ts';
import { appArgs, requestedNetwork } from './args.ts';
import { registerIpcBridge } from './ipc.ts';
import { keychainCipher } from './keychain.ts';

// Built layout (electron.config.ts): out/main/index.js, out/preload/index.cjs, out/renderer/.
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererIndex = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const rendererUrl = pathToFileURL(rendererIndex).href;
// electron-vite's dev server, when running `electron-vite dev`.
const devUrl = process.env.ELECTRON_RENDERER_URL;

const isOurPage = (url: string): boolean => (devUrl ? url.startsWith(devUrl) : url.split(/[?#]/)[0] === rendererUrl);

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    // A second window would also start a second control plane on the same data folder.
    app.quit();
    return;
  }
  const args = appArgs(process.argv);
  // Every renderer sandboxed, whatever a window's options say.
  app.enableSandbox();
  await app.whenReady();
  // Our page may read and write the clipboard (terminal copy/paste); nothing else is granted, to
  // any page: no camera, microphone, notifications, geolocation…
  const allowed = new Set(['clipboard-read', 'clipboard-sanitized-write']);
  session.defaultSession.setPermissionRequestHandler((contents, permission, grant) => grant(allowed.has(permission) && isOurPage(contents.getURL())));
  session.defaultSession.setPermissionCheckHandler((contents, permission) => allowed.has(permission) && !!contents && isOurPage(contents.getURL()));

  const cp = await startControlPlane({
    dataDir: args.dataDir ?? defaultDataDir(),
    port: args.port ?? 6443,
    address: args.address ?? '127.0.0.1',
    network: requestedNetwork(args),
    advertiseAddress: args.advertiseAddress,
    simulateNodes: args.simulateNodes,
    controllersInChildProcess: true,
    // After whenReady: only then has safeStorage chosen its Linux backend.
    keychain: keychainCipher(safeStorage),
  });
  const cluster = new ClusterSwitch(builtinClientConfig(cp));
  const unregister = registerIpcBridge(ipcMain, cluster.hub, isOurPage);

  // Our windows show our page only: links open in the system browser, navigation is refused.
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!isOurPage(url)) event.preventDefault();
    });
  });

  const open = (): void => {
    const win = new BrowserWindow({
      width: 1200,
      height: 800,
      title: 'Kubelab',
      show: false,
      webPreferences: { preload: preloadPath, contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    win.once('ready-to-show', () => win.show());
    if (devUrl) void win.loadURL(devUrl);
    else void win.loadFile(rendererIndex);
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());

  let quitting = false;
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    if (quitting) return;
    // Close the store cleanly (its lock, its log) before the process goes.
    event.preventDefault();
    quitting = true;
    unregister();
    cluster.close();
    cp.close().finally(() => app.quit());
  });
}

main().catch((err: unknown) => {
  console.error(`kubelab: ${(err as Error)?.message ?? err}`);
  app.exit(1);
});
