// The reverse tunnels of nodes that cannot reach the laptop: for each, an SSH session whose
// forwardIn makes the node's 127.0.0.1:<port> lead to the API server on this computer. The
// keeper holds them open and dials again when a session drops (the laptop slept, the Wi-Fi
// changed), backing off from 1 s to 30 s; the agent's own retries ride out the gap.
import type { SshSession } from '../ssh/session.ts';

export interface TunnelTarget {
  nodeName: string;
  /** The node's end: 127.0.0.1:<port> there. */
  remotePort: number;
  /** The API server as this computer reaches it. */
  api: { host: string; port: number };
  /** Opens the SSH session (non-interactive: the host key must be pinned already). */
  connect: () => Promise<SshSession>;
}

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

export class TunnelKeeper {
  private stopped = false;
  private readonly sessions = new Set<SshSession>();
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();

  constructor(private readonly log: (line: string) => void) {}

  /** Starts keeping each target's tunnel; resolves once every first attempt has ended. */
  async start(targets: TunnelTarget[]): Promise<void> {
    const firsts = targets.map((t) => new Promise<void>((first) => this.loops.push(this.keep(t, first))));
    await Promise.all(firsts);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wakers) wake();
    await Promise.all([...this.sessions].map((s) => s.close().catch(() => undefined)));
    await Promise.all(this.loops);
  }

  private async keep(t: TunnelTarget, first: () => void): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.stopped) {
      const opened = Date.now();
      try {
        const session = await t.connect();
        this.sessions.add(session);
        const closed = new Promise<void>((resolve) => session.client.once('close', () => resolve()));
        await session.forwardIn('127.0.0.1', t.remotePort, t.api);
        this.log(`tunnel: ${t.nodeName} reaches ${t.api.host}:${t.api.port} through its 127.0.0.1:${t.remotePort}`);
        first();
        await closed;
        this.sessions.delete(session);
        if (!this.stopped) this.log(`tunnel: ${t.nodeName}: the SSH connection closed; dialling again`);
      } catch (e) {
        first();
        if (this.stopped) break;
        this.log(`tunnel: ${t.nodeName}: ${(e as Error).message}; again in ${Math.round(backoff / 1000)} s`);
      }
      // A tunnel that held for a while starts its backoff afresh.
      backoff = Date.now() - opened > MAX_BACKOFF_MS ? MIN_BACKOFF_MS : Math.min(backoff * 2, MAX_BACKOFF_MS);
      await this.sleep(backoff);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
