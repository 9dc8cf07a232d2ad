// Browser mode's WebSocket on a real HTTP server: only the token holder gets the cluster stream.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ClusterCache } from '../../../src-main/bridge/cluster-cache.ts';
import { BridgeHub } from '../../../src-main/bridge/hub.ts';
import { UI_KINDS } from '../../../src-main/bridge/kinds.ts';
import { WS_CLOSE_UNAUTHORIZED, WS_PROTOCOL, WS_TOKEN_PREFIX, type ServerMessage } from '../../../src-main/bridge/protocol.ts';
import { createWsEndpoint, type WsEndpoint } from '../../../src-main/bridge/ws-endpoint.ts';
import { FakeSources, RecordingClient, servicesOver, ns, pod } from './fakes.ts';

const TOKEN = 'secret-admin-token';

describe('WebSocket endpoint', () => {
  let server: Server | undefined;
  let endpoint: WsEndpoint | undefined;
  let hub: BridgeHub | undefined;
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.terminate();
    await endpoint?.close();
    hub?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  async function start(): Promise<string> {
    const sources = new FakeSources({ namespaces: [ns('default')], pods: [pod('default', 'web')] });
    hub = new BridgeHub(new ClusterCache(UI_KINDS, sources.sourceFor), servicesOver(new RecordingClient()));
    const theHub = hub;
    endpoint = createWsEndpoint({ token: TOKEN, hub: async () => theHub });
    const ep = endpoint;
    server = createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => {
      if (!ep.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', () => done()));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/kubelab/ws`;
  }

  function open(url: string, protocols: string[], origin?: string): WebSocket {
    const ws = new WebSocket(url, protocols, origin ? { origin } : {});
    ws.on('error', () => {});
    sockets.push(ws);
    return ws;
  }

  const closeCode = (ws: WebSocket): Promise<number> => new Promise((done) => ws.on('close', (code) => done(code)));
  const tokenProtocol = (t: string): string => WS_TOKEN_PREFIX + Buffer.from(t).toString('base64url');

  it('streams snapshots to a client with the token', async () => {
    const url = await start();
    const ws = open(url, [WS_PROTOCOL, tokenProtocol(TOKEN)]);
    const messages: ServerMessage[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
    await new Promise((done) => ws.on('open', done));
    expect(ws.protocol).toBe(WS_PROTOCOL);
    ws.send(JSON.stringify({ type: 'subscribe' }));
    await expect.poll(() => messages.some((m) => m.type === 'event' && m.event.type === 'status' && m.event.state === 'ready')).toBe(true);
    const podSnap = messages.find((m) => m.type === 'event' && m.event.type === 'snapshot' && m.event.kind === 'pods');
    expect(podSnap?.type === 'event' && podSnap.event.type === 'snapshot' && podSnap.event.objects[0].metadata?.name).toBe('web');
  });

  it('closes with 4401 and sends nothing without the right token', async () => {
    const url = await start();
    for (const protocols of [[WS_PROTOCOL], [WS_PROTOCOL, tokenProtocol('wrong')], [WS_PROTOCOL, tokenProtocol(TOKEN + 'x')]]) {
      const ws = open(url, protocols);
      const got: unknown[] = [];
      ws.on('message', (d) => got.push(d));
      ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe' })));
      expect(await closeCode(ws)).toBe(WS_CLOSE_UNAUTHORIZED);
      expect(got).toEqual([]);
    }
  });

  it('refuses a page from another origin even with the token', async () => {
    const url = await start();
    const ws = open(url, [WS_PROTOCOL, tokenProtocol(TOKEN)], 'https://evil.example');
    const failed = new Promise<string>((done) => ws.on('unexpected-response', (_req, res) => done(String(res.statusCode))));
    expect(await failed).toBe('403');
  });
});
