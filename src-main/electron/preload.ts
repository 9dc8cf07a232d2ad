// The whole surface the renderer gets from Electron: one invoke and one subscribe. No Node, no
// ipcRenderer, no arbitrary channels cross contextBridge. Built as CommonJS: sandboxed preloads
// cannot be ES modules.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, IPC_SUBSCRIBE } from '../bridge/protocol.ts';

contextBridge.exposeInMainWorld('kubelab', {
  invoke(method: string, params: unknown): Promise<unknown> {
    if (typeof method !== 'string') return Promise.reject(new TypeError('method must be a string'));
    return ipcRenderer.invoke(IPC_INVOKE, method, params);
  },
  subscribe(listener: (event: unknown) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    // Since Electron 28 only the main process can message a renderer, so every event on this
    // channel is the main side's; the main side in turn checks who sent invoke and subscribe.
    const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(IPC_EVENT, handler);
    ipcRenderer.send(IPC_SUBSCRIBE);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
});
