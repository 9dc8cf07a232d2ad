// monaco-worker-manager (what monaco-yaml uses to run its language server worker) for
// monaco-editor 0.57: 0.57's editor.createWebWorker takes the Worker itself instead of a label and
// create data, so monaco-worker-manager 2's call started no worker ("reading 'label'"). The build
// aliases the package's main entry to this module: the same API, the worker made through
// MonacoEnvironment.getWorker and given its create data as 0.57's own language workers are (an
// "ignore" message, then the data: monaco-worker-manager's worker side skips the first).
import type * as Monaco from 'monaco-editor/editor/editor.api';

interface WorkerManagerOptions<C> {
  createData?: C;
  interval?: number;
  label: string;
  moduleId: string;
  stopWhenIdleFor?: number;
}

export function createWorkerManager<T extends object, C>(monaco: typeof Monaco, options: WorkerManagerOptions<C>) {
  let { createData } = options;
  const { label, interval = 30_000, stopWhenIdleFor = 120_000 } = options;
  let worker: Monaco.editor.MonacoWebWorker<T> | undefined;
  let lastUsed = 0;
  let disposed = false;
  const stop = () => {
    worker?.dispose();
    worker = undefined;
  };
  const timer = setInterval(() => {
    if (worker && Date.now() - lastUsed > stopWhenIdleFor) stop();
  }, interval);
  const start = async (): Promise<Worker> => {
    const w = await globalThis.MonacoEnvironment!.getWorker!('workerMain.js', label);
    w.postMessage('ignore');
    w.postMessage(createData);
    return w;
  };
  return {
    dispose() {
      disposed = true;
      clearInterval(timer);
      stop();
    },
    getWorker(...resources: Monaco.Uri[]) {
      if (disposed) throw new Error('Worker manager has been disposed');
      lastUsed = Date.now();
      worker ??= monaco.editor.createWebWorker<T>({ worker: start() });
      return worker.withSyncedResources(resources);
    },
    updateCreateData(data: C) {
      createData = data;
      stop();
    },
  };
}
