// The bridge over Electron IPC: one invoke handler, one subscribe message, one event channel.
// Only frames showing our own renderer may use it; anything else (a page the window was tricked
// into navigating to, an iframe) is refused. Takes ipcMain as a parameter and imports only
// Electron's types, so that tests drive it under plain Node with a fake.
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { BridgeHub, Subscription } from '../bridge/hub.ts';
import { IPC_EVENT, IPC_INVOKE, IPC_SUBSCRIBE, type BridgeError } from '../bridge/protocol.ts';
import { toBridgeError } from '../bridge/service.ts';

export type IpcAnswer = { ok: true; result: unknown } | { ok: false; error: BridgeError };

/** Registers the IPC bridge; returns the function that removes it again. */
export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;

export function registerIpcBridge(ipcMain: IpcMainLike, hub: BridgeHub, isTrustedUrl: (url: string) => boolean): () => void {
  const subscriptions = new Map<WebContents, Subscription>();
  const trusted = (event: IpcMainEvent | IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    // Only the top frame: an iframe inside our page is not our page.
    return Boolean(frame && frame === event.sender.mainFrame && isTrustedUrl(frame.url));
  };

  ipcMain.handle(IPC_INVOKE, async (event, method: unknown, params: unknown): Promise<IpcAnswer> => {
    if (!trusted(event)) return { ok: false, error: { message: 'refused: untrusted sender', code: 403 } };
    try {
      return { ok: true, result: (await hub.invoke(method, params)) ?? null };
    } catch (err) {
      return { ok: false, error: toBridgeError(err) };
    }
  });

  const onSubscribe = (event: IpcMainEvent): void => {
    if (!trusted(event)) return;
    const contents = event.sender;
    // A reload subscribes again: the old stream ends and the page gets fresh snapshots.
    subscriptions.get(contents)?.close();
    const subscription = hub.subscribe({
      send: (bridgeEvent) => {
        if (!contents.isDestroyed()) contents.send(IPC_EVENT, bridgeEvent);
      },
    });
    if (!subscriptions.has(contents)) {
      contents.once('destroyed', () => {
        subscriptions.get(contents)?.close();
        subscriptions.delete(contents);
      });
    }
    subscriptions.set(contents, subscription);
  };
  ipcMain.on(IPC_SUBSCRIBE, onSubscribe);

  return () => {
    ipcMain.removeHandler(IPC_INVOKE);
    ipcMain.removeListener(IPC_SUBSCRIBE, onSubscribe);
    for (const subscription of subscriptions.values()) subscription.close();
    subscriptions.clear();
  };
}
