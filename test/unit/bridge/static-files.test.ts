// The built renderer served on the API port: right files, right types, the API left alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticHandler } from '../../../src-main/bridge/static-files.ts';
import { uiURL } from '../../../src-main/bridge/ui-url.ts';

describe('static files', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelab-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Kubelab</title>');
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'index-abc.css'), 'body{}');
    writeFileSync(join(dir, '..', 'kubelab-secret-neighbour.txt'), 'secret');
    const handle = createStaticHandler(dir);
    server = createServer((req, res) => {
      if (!handle(req, res)) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('api 404');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dir, '..', 'kubelab-secret-neighbour.txt'), { force: true });
  });

  it('serves index.html at / with a strict content security policy', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<title>Kubelab</title>');
  });

  it('serves hashed assets with their content type, cached for good', async () => {
    const js = await fetch(`${base}/assets/index-abc.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toBe('console.log(1)');
    expect((await fetch(`${base}/assets/index-abc.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers client-side routes with the app, but leaves API paths and missing files alone', async () => {
    expect(await (await fetch(`${base}/pods/default`)).text()).toContain('<title>Kubelab</title>');
    for (const path of ['/api/v1/pods', '/apis', '/version', '/openapi/v2', '/assets/missing.js', '/kubelab/ws']) {
      const res = await fetch(base + path);
      expect([path, res.status, await res.text()]).toEqual([path, 404, 'api 404']);
    }
  });

  it('never serves files outside its folder', async () => {
    // Raw paths: fetch would normalise the dots away before they reach the server.
    for (const path of ['/../kubelab-secret-neighbour.txt', '/%2e%2e/kubelab-secret-neighbour.txt', '/assets/..%2f..%2fkubelab-secret-neighbour.txt']) {
      const body = await new Promise<string>((done, fail) => {
        get(base, { path }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c)).on('end', () => done(text));
        }).on('error', fail);
      });
      expect(body).not.toBe('secret');
    }
  });

  it('builds the printed URL with the token in the fragment only', () => {
    const url = uiURL('https://127.0.0.1:6443', 'abc/def+1');
    expect(url).toBe('https://127.0.0.1:6443/#token=abc%2Fdef%2B1');
    expect(new URL(url).search).toBe('');
  });
});
