// Keeps one certificate current, as the kubelet's certificate manager does for its client and
// serving certificates: at a random point between 70 % and 90 % of the certificate's lifetime
// (so a fleet joined together does not renew together), or at once when there is none or it no
// longer fits (a new node address), it makes a fresh key, asks for a certificate through a
// CertificateSigningRequest, keeps the pair and hands it to whoever uses it. A failed request is
// retried with backoff; the old certificate serves meanwhile.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { Backoff } from '../../client/backoff.ts';
import { certificateRequestPem, type RequestSubject } from './certificate-request.ts';
import type { SigningRequest } from './csr-client.ts';

export interface KeyPair {
  certPem: string;
  keyPem: string;
}

export interface CertificateTemplate {
  subject: RequestSubject;
  sans?: { dns: string[]; ips: string[] };
  signerName: string;
  usages: string[];
}

export interface CertificateManagerOptions {
  /** 'client' or 'serving', for the log. */
  name: string;
  /** The pair in use at start (undefined: none yet), and whether it still fits the template. */
  initial?: KeyPair;
  fits(pair: KeyPair): boolean;
  template(): CertificateTemplate;
  /** Sends the request and resolves with the signed certificate's PEM. */
  sign(req: SigningRequest, signal: AbortSignal): Promise<string>;
  /** Keeps the new pair (files) before it is used. */
  store(pair: KeyPair): void;
  /** The new pair is ready: swap it into the TLS contexts. */
  rotated(pair: KeyPair): void;
  log(line: string): void;
  now?: () => number;
  random?: () => number;
}

/** Longest setTimeout Node takes (about 24.8 days); a later deadline is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** When to renew: notBefore + lifetime × a random 0.7–0.9 (the kubelet's nextRotationDeadline). */
export function rotationDeadline(certPem: string, random: () => number = Math.random): number {
  const cert = new X509Certificate(certPem);
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return from + (to - from) * (0.7 + 0.2 * random());
}

export class CertificateManager {
  private pair?: KeyPair;
  private timer?: NodeJS.Timeout;
  private readonly abort = new AbortController();
  private readonly backoff = new Backoff(1_000, 5 * 60_000);
  private readonly now: () => number;
  private markReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(private readonly opts: CertificateManagerOptions) {
    this.now = opts.now ?? Date.now;
    if (opts.initial && opts.fits(opts.initial)) {
      this.pair = opts.initial;
      this.markReady();
    }
  }

  /** Resolves once a pair that fits is in use (at once when the stored one does). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** The pair in use; undefined until the first one is signed when there was none that fits. */
  current(): KeyPair | undefined {
    return this.pair;
  }

  start(): void {
    this.schedule(this.pair ? rotationDeadline(this.pair.certPem, this.opts.random) : this.now());
  }

  stop(): void {
    clearTimeout(this.timer);
    this.abort.abort();
  }

  private schedule(at: number): void {
    if (this.abort.signal.aborted) return;
    const wait = Math.max(0, at - this.now());
    this.timer = setTimeout(() => (wait > MAX_TIMER_MS ? this.schedule(at) : void this.rotate()), Math.min(wait, MAX_TIMER_MS));
    this.timer.unref();
  }

  private async rotate(): Promise<void> {
    const t = this.opts.template();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    try {
      const certPem = await this.opts.sign({ requestPem: certificateRequestPem(privateKey, publicKey, t.subject, t.sans), signerName: t.signerName, usages: t.usages }, this.abort.signal);
      const pair = { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
      if (!this.opts.fits(pair)) throw new Error('the signed certificate does not match the request (its key, names or issuer)');
      this.opts.store(pair);
      this.pair = pair;
      this.backoff.reset();
      this.opts.rotated(pair);
      this.markReady();
      const next = rotationDeadline(certPem, this.opts.random);
      this.opts.log(`agent: new ${this.opts.name} certificate, valid until ${new X509Certificate(certPem).validTo}; renewing at ${new Date(next).toISOString()}`);
      this.schedule(next);
    } catch (e) {
      if (this.abort.signal.aborted) return;
      const delay = this.backoff.next();
      this.opts.log(`agent: could not renew the ${this.opts.name} certificate (${(e as Error).message}); trying again in ${Math.round(delay / 1000)} s`);
      this.schedule(this.now() + delay);
    }
  }
}
