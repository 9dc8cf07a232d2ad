// Secrets encrypted at rest, seen from outside: a real `kubelab serve` and kubectl 1.35. Every
// file of the data folder (log segments, snapshots, everything else) is searched for a secret's
// value, its base64 and its JSON form; kubectl reads the secret back the same, before and after a
// restart. A folder from before encryption still reads and is encrypted as it is rewritten;
// `kubelab secrets rotate-key` refuses while the server runs, and with it stopped leaves only the
// new key and no old bytes on disk. A corrupted value is a 500 for that object, not a crash.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openWalStore } from '../../src-main/store/wal-store.ts';
import { Kubectl, REPO_ROOT } from './harness/kubectl.ts';
import { KubelabServer } from './harness/server.ts';

const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
const SECRET_KEY = '/registry/core/secrets/default/db';

let server: KubelabServer | undefined;
let kubectl: Kubectl | undefined;
const temps: string[] = [];

afterEach(async () => {
  await kubectl?.cleanup();
  kubectl = undefined;
  await server?.stop();
  server = undefined;
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function newDataDir(): string {
  const temp = mkdtempSync(join(tmpdir(), 'kubelab-encryption-'));
  temps.push(temp);
  return join(temp, 'data');
}

async function serve(dataDir: string): Promise<Kubectl> {
  await kubectl?.cleanup();
  await server?.stop();
  server = await KubelabServer.start({ dataDir });
  kubectl = new Kubectl('1.35', server.kubeconfigPath);
  return kubectl;
}

async function stop(): Promise<void> {
  await kubectl?.cleanup();
  kubectl = undefined;
  await server?.stop();
  server = undefined;
}

/** A value nobody else writes, so finding it on disk can only mean this secret. */
function uniqueValue(label: string): string {
  return `${label}-${randomBytes(12).toString('hex')}`;
}

/** The forms a secret's value could be on disk in: as given, base64 (data), and the data entry's JSON. */
function formsOf(value: string): string[] {
  const b64 = Buffer.from(value).toString('base64');
  return [value, b64, `"password":"${b64}"`];
}

/** Each file under dir (relative path) that holds one of the needles, with the needle. */
function filesContaining(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = readFileSync(path);
    for (const n of needles) if (bytes.includes(Buffer.from(n))) found.push(`${relative(dir, path)}: ${n}`);
  }
  return found;
}

function configPath(dataDir: string): string {
  return join(dataDir, 'pki', 'encryption-config.yaml');
}

function kubelab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function passwordOf(k: Kubectl, name: string): Promise<string> {
  return Buffer.from(await k.ok(['get', 'secret', name, '-o', 'jsonpath={.data.password}']), 'base64').toString();
}

/** Sets the secret's password the way a user replaces an object: kubectl replace. */
async function replacePassword(k: Kubectl, name: string, value: string): Promise<void> {
  const manifest = await k.ok(['create', 'secret', 'generic', name, `--from-literal=password=${value}`, '--dry-run=client', '-o', 'json']);
  await k.ok(['replace', '-f', '-'], { input: manifest });
}

describe('Secrets encrypted at rest', () => {
  it('stores only ciphertext, reads back the same through kubectl, also after a restart', async () => {
    const dataDir = newDataDir();
    const value = uniqueValue('hunter2');
    const control = uniqueValue('control');
    let k = await serve(dataDir);
    await k.ok(['create', 'secret', 'generic', 'db', `--from-literal=password=${value}`]);
    await k.ok(['create', 'configmap', 'plain', `--from-literal=note=${control}`]);
    expect(await passwordOf(k, 'db')).toBe(value);

    // The key file: upstream's format, a fresh AES-256 key, readable by its owner only.
    const config = readFileSync(configPath(dataDir), 'utf8');
    expect(config).toMatch(/apiVersion: apiserver.config.k8s.io\/v1\nkind: EncryptionConfiguration/);
    expect(config).toMatch(/- aesgcm:\n\s+keys:\n\s+- name: key1\n\s+secret: \S{44}\n/);
    expect(statSync(configPath(dataDir)).mode & 0o777).toBe(0o600);

    // The ConfigMap (not configured) proves the search finds what is in clear; the Secret is not.
    const store = join(dataDir, 'store');
    expect(filesContaining(dataDir, [control])).toEqual([expect.stringMatching(/^store\/wal-\d+\.log: /)]);
    expect(filesContaining(dataDir, formsOf(value))).toEqual([]);
    expect(filesContaining(store, ['k8s:enc:aesgcm:v1:key1:']).length).toBeGreaterThan(0);
    const list = JSON.parse(await k.ok(['get', 'secrets', '-o', 'json'])) as { items: { metadata: { name: string }; data: Record<string, string> }[] };
    expect(list.items.find((s) => s.metadata.name === 'db')?.data.password).toBe(Buffer.from(value).toString('base64'));

    k = await serve(dataDir);
    expect(await passwordOf(k, 'db')).toBe(value);
  });

  it('a corrupted value is a 500 naming the object; the server and the other objects carry on', async () => {
    const dataDir = newDataDir();
    let k = await serve(dataDir);
    const createdAt = await k.ok(['create', 'secret', 'generic', 'db', '--from-literal=password=x', '-o', 'jsonpath={.metadata.resourceVersion}']);
    await k.ok(['create', 'secret', 'generic', 'other', '--from-literal=password=y']);
    await stop();
    // Damage one byte of the stored ciphertext, as a bad disk would.
    const engine = await openWalStore({ dir: join(dataDir, 'store'), log: () => {} });
    const stored = (await engine.get(SECRET_KEY))!.value;
    const prefix = 'k8s:enc:aesgcm:v1:key1:';
    expect(stored.startsWith(prefix)).toBe(true);
    const bytes = Buffer.from(stored.slice(prefix.length), 'base64');
    bytes[bytes.length - 1] ^= 0xff;
    await engine.update(SECRET_KEY, prefix + bytes.toString('base64'));
    await engine.close();

    k = await serve(dataDir);
    const get = await k.run(['get', 'secret', 'db']);
    expect(get.code).not.toBe(0);
    expect(get.stderr).toContain(`Internal error occurred: unable to transform key "${SECRET_KEY}": aesgcm key "key1": message authentication failed`);
    const raw = await k.run(['get', '--raw', '/api/v1/namespaces/default/secrets/db']);
    expect(raw.stderr).toMatch(/InternalError|Internal error/);
    expect((await k.run(['get', 'secrets'])).stderr).toContain('unable to transform key');
    expect(await passwordOf(k, 'other')).toBe('y');
    // A watch from before the damage meets it in the history: an ERROR event saying so, then the end.
    const watched = await k.ok(['get', '--raw', `/api/v1/namespaces/default/secrets?watch=1&resourceVersion=${createdAt}`]);
    const events = watched.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata?: { name: string }; code?: number; message?: string } });
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'ERROR']);
    expect(events[0].object.metadata?.name).toBe('other');
    expect(events[1].object).toMatchObject({ code: 500, message: expect.stringContaining(`unable to transform key "${SECRET_KEY}"`) });
    await k.ok(['create', 'secret', 'generic', 'third', '--from-literal=password=z']);
    expect(await passwordOf(k, 'third')).toBe('z');
    expect(server!.running).toBe(true);

    // A rotation cannot rewrite it: it stops with one line and keeps the key the others need.
    await stop();
    const rotation = await kubelab(['secrets', 'rotate-key', '--data-dir', dataDir]);
    expect(rotation.code).toBe(1);
    expect(rotation.stderr).toMatch(new RegExp(`^kubelab: the rotation stopped, the old keys are kept: unable to transform key "${SECRET_KEY}": [^\n]+\n$`));
    expect(readFileSync(configPath(dataDir), 'utf8')).toContain('name: key1');
    k = await serve(dataDir);
    expect(await passwordOf(k, 'other')).toBe('y');
  });

  it('reads a folder written without encryption, encrypts on update, and rotate-key leaves only the new key', async () => {
    const dataDir = newDataDir();
    // A cluster that did not encrypt: upstream's way to say so is identity first.
    mkdirSync(join(dataDir, 'pki'), { recursive: true, mode: 0o700 });
    writeFileSync(configPath(dataDir), 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers: [{identity: {}}]\n', { mode: 0o600 });
    const old = uniqueValue('old');
    let k = await serve(dataDir);
    await k.ok(['create', 'secret', 'generic', 'db', `--from-literal=password=${old}`]);
    await stop();
    expect(filesContaining(dataDir, formsOf(old)).length).toBeGreaterThan(0);

    // As an older Kubelab left it: no configuration at all. The start creates one with a key.
    rmSync(configPath(dataDir));
    k = await serve(dataDir);
    expect(readFileSync(configPath(dataDir), 'utf8')).toContain('name: key1');
    expect(await passwordOf(k, 'db')).toBe(old);
    const updated = uniqueValue('new');
    await replacePassword(k, 'db', updated);
    expect(await passwordOf(k, 'db')).toBe(updated);
    expect(filesContaining(dataDir, formsOf(updated))).toEqual([]);

    const nowhere = join(dataDir, '..', 'typo');
    expect(await kubelab(['secrets', 'rotate-key', '--data-dir', nowhere])).toMatchObject({ code: 1, stderr: `kubelab: ${nowhere} holds no cluster (no store folder): nothing to rotate\n` });
    expect(existsSync(nowhere)).toBe(false);

    // The server has the folder: the rotation refuses with one line and changes nothing.
    const before = readFileSync(configPath(dataDir), 'utf8');
    const refused = await kubelab(['secrets', 'rotate-key', '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^kubelab: cannot rotate the key while Kubelab runs on .* \(pid \d+.*\): stop it, rotate, then start it again\n$/);
    expect(readFileSync(configPath(dataDir), 'utf8')).toBe(before);

    await stop();
    const oldKeySecret = /secret: (\S+)/.exec(before)![1];
    const rotated = await kubelab(['secrets', 'rotate-key', '--data-dir', dataDir]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/^encrypting with key-\d{8}T\d{6}Z: [1-9]\d* object\(s\) rewritten; removed key1\n$/);
    const after = readFileSync(configPath(dataDir), 'utf8');
    expect(after).not.toContain('name: key1');
    expect(after).not.toContain(oldKeySecret);
    expect(after).toMatch(/- aesgcm:\n\s+keys:\n\s+- name: key-\d{8}T\d{6}Z\n\s+secret: \S{44}\n\s+- identity: \{\}\n/);
    expect(statSync(configPath(dataDir)).mode & 0o777).toBe(0o600);
    // A snapshot replaced the log: neither value, nor anything under the old key, is on disk.
    const store = join(dataDir, 'store');
    expect(readdirSync(store).some((f) => /^snapshot-\d+\.snap$/.test(f))).toBe(true);
    expect(filesContaining(dataDir, [...formsOf(old), ...formsOf(updated), 'k8s:enc:aesgcm:v1:key1:'])).toEqual([]);

    k = await serve(dataDir);
    expect(await passwordOf(k, 'db')).toBe(updated);
  });
});
