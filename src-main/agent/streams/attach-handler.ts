// The agent's /attach/{namespace}/{pod}/{container}: the client joins the container's own stdio
// — its live output from the kubelet's output tap (what the log also gets), and with stdin its
// stdin FIFO (containers with `stdin: true`). Ending the client's stdin closes the container's
// only with `stdinOnce`; leaving detaches. The attach ends with Success when the container's
// output ends (it exited), as the kubelet's does.
import type { Writable } from 'node:stream';
import { openSession } from './exec-handler.ts';
import type { StreamLookup } from './stream-lookup.ts';
import type { UpgradeHandler } from '../server/routes.ts';

/** What attach needs of a container's stdio (logs/container-io.ts). */
export interface AttachableIO {
  readonly done: Promise<void>;
  tap(listener: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): () => void;
  openStdin(): Writable | undefined;
  closeStdin(): void;
}

export function attachHandler(lookup: StreamLookup): UpgradeHandler {
  return async (req, socket, head) => {
    const opened = await openSession(req, socket, head, 'attach', lookup);
    if (!opened) return;
    const { id, session, streams, target } = opened;
    const io = lookup.containerIO?.(id);
    if (!io) return session.finish({ error: `container ${target.container} has no attachable stdio` }, []);
    const untap = io.tap((stream, chunk) => {
      const out = stream === 'stdout' || streams.tty ? session.stdout : session.stderr;
      out?.write(chunk);
    });
    // A container with a terminal takes the client's size (kubectl sends it first, then on changes;
    // older ones send size+1 then size to force a redraw): applied in order, one after another.
    let resizing = Promise.resolve();
    if (streams.tty) session.events.on('resize', (size) => (resizing = resizing.then(() => lookup.resize?.(id, size)).catch(() => undefined)));
    const stdin = session.stdin ? io.openStdin() : undefined;
    if (session.stdin && stdin) {
      stdin.on('error', () => undefined); // the container ended: its FIFO has no reader
      session.stdin.pipe(stdin);
      session.stdin.once('end', () => {
        if (lookup.stdinOnce?.(target.namespace, target.pod, target.container)) io.closeStdin();
      });
    } else {
      session.stdin?.resume();
    }
    const left = new Promise<'left'>((r) => session.events.once('close', () => r('left')));
    const ended = await Promise.race([io.done.then(() => 'exited' as const), left]);
    untap();
    stdin?.end();
    if (ended === 'exited') await session.finish({ exitCode: 0 }, []);
  };
}
