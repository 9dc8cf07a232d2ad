// One Store watch over its own etcd watch stream (gRPC multiplexes the streams over one HTTP/2
// connection per member, so a stream per watch costs little and needs no watch-id bookkeeping).
// It resumes after a broken stream (a member died, a network blip) from the first revision it has
// not delivered, on whichever endpoint the client picks, so nothing is lost or repeated; it ends
// only when cancelled, when the store closes, or when etcd cancels it (compaction → CompactedError).
import type { IDuplexStream, IEvent, IWatchRequest, IWatchResponse } from 'etcd3';
import { CompactedError } from '../store.ts';
import type { Watch, WatchCallbacks, WatchEvent } from '../store.ts';
import { EtcdKeyValue } from './etcd-key-value.ts';
import type { KeySpacePrefix } from './key-range.ts';

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

/**
 * Ends a stream we no longer want. Half-closing first matters: the etcd3 client takes any error of
 * a still-writable stream (a cancel's CANCELLED too) for a failing member, resets its connections
 * and counts it towards opening that member's circuit breaker.
 */
function closeStream(stream: WatchStream): void {
  stream.end();
  stream.cancel();
}

/** What a watch needs from its store. */
export interface WatchHost {
  readonly keys: KeySpacePrefix;
  openStream(): Promise<WatchStream>;
  /** Every response header's revision (and progress notifications) keeps revision() current. */
  observeRevision(revision: number): void;
  observeCompacted(revision: number): void;
  /** The watch has ended; forget it. */
  release(watch: EtcdWatch): void;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2_000;

export class EtcdWatch implements Watch {
  /** The first revision not delivered yet: where a new stream starts. */
  private next: number;
  private stream: WatchStream | undefined;
  private ended = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  /** The newest revision of this store's own writes under the prefix: close() delivers up to it. */
  expected = 0;
  private caughtUp: (() => void) | undefined;

  constructor(
    private readonly host: WatchHost,
    readonly prefix: string,
    afterRevision: number,
    private readonly callbacks: WatchCallbacks,
  ) {
    this.next = afterRevision + 1;
    this.connect();
  }

  cancel(): void {
    this.end();
  }

  /** Ends the watch with an error (the store is closing, etcd canceled it). */
  fail(err: Error): void {
    if (this.ended) return;
    this.end();
    this.callbacks.onError?.(err);
  }

  /** Resolves once every own write under the prefix has been delivered, or after timeoutMs. */
  async catchUp(timeoutMs: number): Promise<void> {
    if (this.ended || this.next > this.expected) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.caughtUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.caughtUp = undefined;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.retryTimer);
    const stream = this.stream;
    this.stream = undefined;
    if (stream) closeStream(stream);
    this.caughtUp?.();
    this.host.release(this);
  }

  private connect(): void {
    this.host.openStream().then(
      (stream) => {
        if (this.ended) {
          closeStream(stream);
          return;
        }
        this.stream = stream;
        stream.on('data', (res: IWatchResponse) => this.onResponse(stream, res));
        stream.on('error', (err: Error) => this.onBroken(stream, err));
        stream.on('end', () => this.onBroken(stream, new Error('etcd watch stream ended')));
        const { key, range_end } = this.host.keys.range(this.prefix);
        stream.write({ create_request: { key, range_end, start_revision: this.next, prev_kv: true, progress_notify: true } });
      },
      (err: Error) => this.onBroken(undefined, err),
    );
  }

  private onBroken(stream: WatchStream | undefined, _err: Error): void {
    if (this.ended || stream !== this.stream) return;
    this.stream = undefined;
    // A broken stream is the client's to count (it failed while writable); this only tidies up.
    stream?.cancel();
    this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private onResponse(stream: WatchStream, res: IWatchResponse): void {
    if (this.ended || stream !== this.stream) return;
    this.retryMs = FIRST_RETRY_MS;
    const headerRevision = Number(res.header.revision);
    this.host.observeRevision(headerRevision);
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      if (compacted > 0) {
        this.host.observeCompacted(compacted);
        this.fail(new CompactedError(this.next - 1, compacted));
      } else {
        this.fail(new Error(`etcd canceled the watch on ${this.prefix}: ${res.cancel_reason}`));
      }
      return;
    }
    if (res.events.length === 0) {
      // A progress notification: every event up to the header's revision has been sent. (The
      // "created" response's header is the current revision even when the watch starts in the
      // past and has history still to send, so it does not count.)
      if (!res.created && headerRevision >= this.next) this.next = headerRevision + 1;
      this.wakeIfCaughtUp();
      return;
    }
    // etcd sends all events of one revision (one transaction) in one response, in order.
    const events = res.events.map((ev) => this.toEvent(ev));
    this.next = events[events.length - 1].kv.modRevision + 1;
    this.callbacks.onEvents(events);
    this.wakeIfCaughtUp();
  }

  private wakeIfCaughtUp(): void {
    if (this.next > this.expected) this.caughtUp?.();
  }

  private toEvent(ev: IEvent): WatchEvent {
    const { keys } = this.host;
    const key = keys.fromEtcd(ev.kv.key);
    const prevKv = ev.prev_kv ? EtcdKeyValue.from(key, ev.prev_kv) : undefined;
    if (ev.type === 'Delete') {
      // etcd's delete event carries only the key and the delete's revision; the contract wants the
      // last value with modRevision = the delete's revision.
      const modRevision = Number(ev.kv.mod_revision);
      return { type: 'delete', kv: prevKv ? EtcdKeyValue.from(key, ev.prev_kv, modRevision) : EtcdKeyValue.from(key, ev.kv), prevKv };
    }
    return { type: 'put', kv: EtcdKeyValue.from(key, ev.kv), prevKv };
  }
}
