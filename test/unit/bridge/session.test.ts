// Streams belong to the connection that opened them: messages go only there, input reaches the
// opener's sink, and every stream is released when the stream or the connection ends.
import { describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../../src-main/bridge/protocol.ts';
import { Session } from '../../../src-main/bridge/session.ts';

describe('Session streams', () => {
  it('pushes to its own connection, feeds input to the sink, and ends once', async () => {
    const sent: BridgeEvent[] = [];
    const session = new Session((e) => sent.push(e));
    const received: unknown[] = [];
    let closed = 0;
    let handle!: Parameters<Parameters<Session['openStream']>[0]>[0];
    const { stream } = await session.openStream((h) => {
      handle = h;
      return { receive: (m) => received.push(m), close: () => closed++ };
    });
    handle.push({ data: 'hi' });
    session.sendToStream(stream, { input: 'ls' });
    session.sendToStream(stream + 1000, { input: 'lost' });
    handle.end('it broke');
    handle.end();
    handle.push({ data: 'late' });
    expect(sent).toEqual([{ type: 'stream', stream, message: { data: 'hi' } }, { type: 'stream-end', stream, error: 'it broke' }]);
    expect(received).toEqual([{ input: 'ls' }]);
    expect(closed).toBe(1);
    expect(session.streamCount).toBe(0);
  });

  it('closes every open stream when the connection goes, and refuses new ones', async () => {
    const session = new Session(() => {});
    const closed: number[] = [];
    for (let i = 0; i < 3; i++) await session.openStream(() => ({ close: () => closed.push(i) }));
    expect(session.streamCount).toBe(3);
    session.close();
    expect(closed.sort()).toEqual([0, 1, 2]);
    await expect(session.openStream(() => ({ close() {} }))).rejects.toThrow(/closed/);
  });

  it('a stream whose start fails never existed; one that ended while starting is released', async () => {
    const sent: BridgeEvent[] = [];
    const session = new Session((e) => sent.push(e));
    await expect(session.openStream(() => {
      throw new Error('no such pod');
    })).rejects.toThrow('no such pod');
    expect(session.streamCount).toBe(0);
    let released = false;
    await session.openStream(async (h) => {
      h.end();
      return { close: () => (released = true) };
    });
    expect(released).toBe(true);
    expect(session.streamCount).toBe(0);
  });
});
