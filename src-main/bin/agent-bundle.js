// Builds the node agent into one file, out/agent/kubelab-agent.js, that runs on a worker's
// Node.js >= 18 with nothing to npm-install there: every dependency is bundled in, and it is
// CommonJS so that the file runs wherever it is copied (no package.json beside it).
// `npm run build:agent` runs this (`node src-main/bin/agent-bundle.js [OUTFILE]`); provisioning
// (a later issue) uploads the result.
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const agentBundlePath = join(root, 'out', 'agent', 'kubelab-agent.js');

/** Builds the bundle (about a second) and returns its path. */
export async function buildAgentBundle(outfile = agentBundlePath) {
  const { build } = await import('esbuild');
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(root, 'src-main', 'agent', 'bundle-entry.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  renameSync(tmp, outfile);
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${await buildAgentBundle(process.argv[2] ? resolve(process.argv[2]) : undefined)}\n`);
}
