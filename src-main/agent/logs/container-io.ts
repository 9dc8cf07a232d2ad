// A container's stdio, as FIFOs in its bundle that the runtime's shim opens for it (see
// OciRuntime.run): stdout.fifo and stderr.fifo, which the shim holds read-write so that the
// container never gets EPIPE while no agent reads, and for `stdin: true` stdin.fifo, which a small
// keeper process holds open for writing so the container sees no EOF while the agent comes and
// goes. The agent reads the output FIFOs (non-blocking, through libuv pipes), writes the CRI log
// and feeds the taps.
//
// While the agent is down the container keeps running: its output waits in the FIFOs (64 KiB
// each, the kernel's pipe size); a container that writes more blocks in write() until the agent
// is back and reads on — nothing is lost and nothing is killed. Output still in a FIFO when the
// container ended before the agent came back is lost with the pipe, as is a line's unterminated
// tail held in memory when the agent is SIGKILLed (a graceful stop writes it out).
//
// For the attach and logs streams (the API other parts use):
//   io.tap((stream, chunk) => …)  → untap()   live output as the container writes it, from now on
//   io.openStdin()                → Writable | undefined   a writer to the container's stdin (one
//                                   per attach session; ending it does not close the stdin)
//   io.closeStdin()               the container's stdin ends (stdinOnce, after the first session):
//                                   the keeper goes, and the container reads EOF once no writer is left
//   io.running                    false once both output streams reached EOF (the container and
//                                   everything holding its stdout are gone)
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { RunFifos } from '../runtime/oci-runtime.ts';
import type { LogStream } from './cri-format.ts';
import { CriLogFile, LineSplitter } from './cri-log-file.ts';

export type OutputListener = (stream: LogStream, chunk: Buffer) => void;

export type ContainerFifoPaths = RunFifos;

export function fifoPaths(bundle: string, stdin: boolean): ContainerFifoPaths {
  const paths = { stdout: join(bundle, 'stdout.fifo'), stderr: join(bundle, 'stderr.fifo') };
  return stdin ? { ...paths, stdin: join(bundle, 'stdin.fifo'), stdinKeeper: join(bundle, 'stdin-keeper.pid') } : paths;
}

export class ContainerIO {
  private readonly taps = new Set<OutputListener>();
  private readonly sockets: Socket[] = [];
  private readonly splitters: LineSplitter[] = [];
  private open = 2;
  private ended!: () => void;
  /** Resolves once both output streams ended (or the IO was closed). */
  readonly done = new Promise<void>((resolve) => (this.ended = resolve));

  constructor(readonly id: string, readonly bundle: string, readonly fifos: ContainerFifoPaths, private readonly log: CriLogFile) {}

  get logPath(): string {
    return this.log.path;
  }

  get running(): boolean {
    return this.open > 0;
  }

  /**
   * Starts reading the output FIFOs. With `holdOpen`, a writer of the agent's own keeps each FIFO
   * from reading as ended until the shim has opened it; call the returned function then.
   */
  start(holdOpen: boolean): () => void {
    const held: number[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      // Opened non-blocking: with no writer yet, a blocking open would wait forever.
      const fd = openSync(this.fifos[stream], constants.O_RDONLY | constants.O_NONBLOCK);
      if (holdOpen) held.push(openSync(this.fifos[stream], constants.O_WRONLY | constants.O_NONBLOCK));
      const splitter = new LineSplitter(stream, this.log);
      const socket = new Socket({ fd, readable: true, writable: false });
      socket.on('data', (chunk: Buffer) => {
        splitter.push(chunk);
        for (const tap of this.taps) {
          try {
            tap(stream, chunk);
          } catch { /* a listener's failure is its own */ }
        }
      });
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this.streamEnded(splitter));
      this.sockets.push(socket);
      this.splitters.push(splitter);
    }
    return () => {
      for (const fd of held.splice(0)) closeSync(fd);
    };
  }

  /** Resolves once the output is all read, or after timeoutMs (a daemon kept stdout open). */
  drained(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    return Promise.race([this.done, late]).finally(() => clearTimeout(timer));
  }

  tap(listener: OutputListener): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  openStdin(): Writable | undefined {
    if (!this.fifos.stdin) return undefined;
    // ENXIO when no one reads it any more (the container is gone): no stdin then.
    let fd: number;
    try {
      fd = openSync(this.fifos.stdin, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      return undefined;
    }
    return new Socket({ fd, readable: false, writable: true });
  }

  closeStdin(): void {
    if (!this.fifos.stdinKeeper) return;
    try {
      process.kill(Number(readFileSync(this.fifos.stdinKeeper, 'utf8').trim()), 'SIGTERM');
    } catch { /* no keeper: stdin already closed, or none */ }
  }

  /** Stops reading (the agent stops, or the container is removed); a line's tail is written. */
  close(): void {
    for (const s of this.sockets) s.destroy();
    for (const s of this.splitters) s.flush();
    this.log.close();
    this.ended();
  }

  private streamEnded(splitter: LineSplitter): void {
    splitter.flush();
    if (--this.open > 0) return;
    this.log.close();
    this.ended();
  }
}
