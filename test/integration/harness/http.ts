// Raw HTTPS requests to the server under test, for tests that must send what no well-behaved
// client would (malformed bodies, odd paths, wrong methods) and look at the bare answer.
import https from 'node:https';
import tls from 'node:tls';
import { parse } from 'yaml';

export interface RawAnswer {
  status: number;
  body: string;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** 'admin' (default) sends the admin token, 'none' none, 'bad' a wrong one. */
  auth?: 'admin' | 'none' | 'bad';
}

export class RawHttp {
  private readonly agent: https.Agent;
  private readonly url: URL;
  private readonly token: string;
  private readonly ca: string;

  constructor(server: string, kubeconfigText: string, maxSockets = 16) {
    const cfg = parse(kubeconfigText) as {
      clusters: { cluster: Record<string, string> }[];
      users: { user: Record<string, string> }[];
    };
    this.url = new URL(server);
    this.token = cfg.users[0].user.token;
    this.ca = Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: this.ca });
  }

  request(req: RawRequest, timeoutMs = 10_000): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
      if ((req.auth ?? 'admin') === 'admin') headers.Authorization = `Bearer ${this.token}`;
      if (req.auth === 'bad') headers.Authorization = 'Bearer not-the-token';
      if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
      const r = https.request({
        host: this.url.hostname, port: this.url.port, method: req.method, path: req.path, headers, agent: this.agent,
      });
      const timer = setTimeout(() => r.destroy(new Error(`no answer within ${timeoutMs} ms (hang)`)), timeoutMs);
      r.on('error', (e) => { clearTimeout(timer); reject(e); });
      r.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => { clearTimeout(timer); reject(e); });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      r.end(req.body);
    });
  }

  /**
   * Writes raw bytes on a fresh TLS connection (HTTP framing errors no client library produces)
   * and returns the status line's code, or 0 when the server closed without answering.
   */
  rawBytes(bytes: string, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const sock = tls.connect({ host: this.url.hostname, port: Number(this.url.port), ca: this.ca });
      let data = '';
      const timer = setTimeout(() => { sock.destroy(); reject(new Error(`raw request: no answer within ${timeoutMs} ms (hang)`)); }, timeoutMs);
      sock.on('secureConnect', () => sock.write(bytes));
      sock.on('data', (c: Buffer) => {
        data += c.toString('latin1');
        if (data.includes('\r\n\r\n')) sock.destroy(); // the status line is all we judge
      });
      sock.on('error', () => undefined); // a reset after the answer is fine; judged on 'close'
      sock.on('close', () => {
        clearTimeout(timer);
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
        resolve(m ? Number(m[1]) : 0);
      });
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
