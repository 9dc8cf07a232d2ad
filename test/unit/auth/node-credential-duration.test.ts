import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCA } from '../../../src-main/auth/ca.ts';
import { BOOTSTRAP_USER_PREFIX, BOOTSTRAPPERS_GROUP } from '../../../src-main/auth/bootstrap-token.ts';
import { NodeCredentialIssuer } from '../../../src-main/auth/node-credential.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubelab-node-cred-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the node credential a join hands out', () => {
  it('lasts the cluster signing duration', async () => {
    const ca = await ensureCA(dir);
    const issuer = new NodeCredentialIssuer({ ca, durationSeconds: 1800, consumeToken: async () => true, log: () => undefined });
    const publicKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const before = Date.now();
    const { certificatePem } = await issuer.issue({ name: `${BOOTSTRAP_USER_PREFIX}abcdef`, groups: [BOOTSTRAPPERS_GROUP] }, { nodeName: 'n1', publicKeyPem });
    const notAfter = new Date(new X509Certificate(certificatePem).validTo).getTime();
    expect(notAfter).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 1800_000 - 1000);
    expect(notAfter).toBeLessThanOrEqual(Date.now() + 1800_000);
  });
});
