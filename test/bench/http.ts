// A lean HTTPS client for the load generator: raw node:https over a keep-alive agent, bodies
// pre-serialised by the caller, answers returned as bytes. The shared KubeClient does more per
// request (JSON parsing, error mapping) and would make the bench measure the client too.
import https from 'node:https';

export interface Answer {
  status: number;
  body: Buffer;
}

export interface Endpoint {
  url: string;
  token: string;
  ca: string;
}

export class BenchHttp {
  private readonly agent: https.Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly auth: string;

  constructor(ep: Endpoint, maxSockets = 32) {
    const u = new URL(ep.url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.auth = `Bearer ${ep.token}`;
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: ep.ca });
  }

  request(method: string, path: string, body?: string, contentType = 'application/json', timeoutMs = 60_000): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: 'application/json', Authorization: this.auth };
      if (body !== undefined) {
        headers['Content-Type'] = contentType;
        headers['Content-Length'] = String(Buffer.byteLength(body));
      }
      const req = https.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent });
      const timer = setTimeout(() => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
      });
      req.end(body);
    });
  }

  /** Like request, but a non-2xx answer is an error naming the status and the server's message. */
  async expectOk(method: string, path: string, body?: string, contentType?: string): Promise<Answer> {
    const a = await this.request(method, path, body, contentType);
    if (a.status < 200 || a.status > 299) throw new Error(`${method} ${path}: ${a.status} ${a.body.toString('utf8').slice(0, 300)}`);
    return a;
  }

  close(): void {
    this.agent.destroy();
  }
}
