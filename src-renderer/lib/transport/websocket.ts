// The browser-mode connection: a WebSocket to /kubelab/ws on the page's own origin, with the
// token as a subprotocol (see src-main/bridge/ws-endpoint.ts).
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX, type ServerMessage } from '../../../src-main/bridge/protocol.ts';
import type { Connect } from './transport.ts';

export function webSocketConnect(baseUrl: string, token: string): Connect {
  const url = new URL(WS_PATH, baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const tokenProtocol = WS_TOKEN_PREFIX + base64url(token);
  return (handlers) => {
    const ws = new WebSocket(url, [WS_PROTOCOL, tokenProtocol]);
    ws.onopen = () => handlers.open();
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      try {
        handlers.message(JSON.parse(e.data) as ServerMessage);
      } catch {
        // A frame we cannot read is dropped; the next snapshot repairs any gap.
      }
    };
    ws.onclose = (e) => handlers.close(e.code);
    return {
      send: (message) => ws.send(JSON.stringify(message)),
      close: () => ws.close(1000),
    };
  };
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
