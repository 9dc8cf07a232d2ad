// The bridge over Electron IPC: one invoke handler, one subscribe message, one event channel.
// Only frames showing our own renderer may use it; anything else (a page the window was tricked
// into navigating to, an iframe) is refused. Takes ipcMain as a parameter and imports only
// Electron's types, so that tests drive it under plain Node with a fake.
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { BridgeHub, Subscription } from '../bridge/hub.ts';
import { IPC_EVENT, IPC_INVOKE, IPC_SUBSCRIBE, type BridgeError, type BridgeEvent } from '../bridge/protocol.ts';
import { toBridgeError } from '../bridge/service-error.ts';
import { Session } from '../bridge/session.ts';

export type IpcAnswer = { ok: true; result: unknown } | { ok: false; error: BridgeError };

/** Registers the IPC bridge; returns the function that removes it again. */
export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;

/** One window's page: its cluster subscription and its session (the streams it opened). */
interface Peer {
  session: Session;
  subscription?: Subscription;
}

export function registerIpcBridge(ipcMain: IpcMainLike, hub: BridgeHub, isTrustedUrl: (url: string) => boolean): () => void {
  const peers = new Map<WebContents, Peer>();
  const trusted = (event: IpcMainEvent | IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    // Only the top frame: an iframe inside our page is not our page.
    return Boolean(frame && frame === event.sender.mainFrame && isTrustedUrl(frame.url));
  };
  const send = (contents: WebContents, event: BridgeEvent): void => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT, event);
  };
  const end = (contents: WebContents): void => {
    const peer = peers.get(contents);
    peer?.subscription?.close();
    peer?.session.close();
    peers.delete(contents);
  };
  const peerOf = (contents: WebContents): Peer => {
    let peer = peers.get(contents);
    if (!peer) {
      peer = { session: new Session((event) => send(contents, event)) };
      peers.set(contents, peer);
      contents.once('destroyed', () => end(contents));
    }
    return peer;
  };

  ipcMain.handle(IPC_INVOKE, async (event, method: unknown, params: unknown): Promise<IpcAnswer> => {
    if (!trusted(event)) return { ok: false, error: { message: 'refused: untrusted sender', code: 403 } };
    try {
      return { ok: true, result: (await hub.invoke(method, params, peerOf(event.sender).session)) ?? null };
    } catch (err) {
      return { ok: false, error: toBridgeError(err) };
    }
  });

  const onSubscribe = (event: IpcMainEvent): void => {
    if (!trusted(event)) return;
    const contents = event.sender;
    // A reload subscribes again: the old page's streams end and the new one gets fresh snapshots.
    if (peers.get(contents)?.subscription) end(contents);
    const peer = peerOf(contents);
    peer.subscription = hub.subscribe({ send: (bridgeEvent) => send(contents, bridgeEvent) });
  };
  ipcMain.on(IPC_SUBSCRIBE, onSubscribe);

  return () => {
    ipcMain.removeHandler(IPC_INVOKE);
    ipcMain.removeListener(IPC_SUBSCRIBE, onSubscribe);
    for (const contents of [...peers.keys()]) end(contents);
  };
}
