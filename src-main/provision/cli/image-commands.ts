// `kubelab image load ARCHIVE [--node NAME ...]`: an image archive (`docker save` output or an OCI
// archive) copied over SSH into each node's import folder, where the agent imports it into its
// image store (agent/images/archive-importer.ts). For labs without internet.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { NODE_PATHS } from '../install/node-layout.ts';
import { step } from '../progress.ts';
import type { RemoteHost } from '../remote-host.ts';
import { shellQuote } from '../../util/shell.ts';
import { connectNode, flagsOf } from './connect-node.ts';
import { ProvisionError } from './node-commands.ts';
import { NodeRegistry } from './node-registry.ts';
import { progressDisplay } from './progress-display.ts';

const IMAGES = `${NODE_PATHS.stateDir}/images`;

export async function imageLoad(dataDir: string, archivePath: string, names: string[], password?: string): Promise<string> {
  let archive: Buffer;
  try {
    archive = readFileSync(archivePath);
  } catch (e) {
    throw new ProvisionError(`${archivePath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const registry = new NodeRegistry(dataDir);
  const chosen = names.length > 0 ? names : Object.keys(registry.all());
  if (chosen.length === 0) throw new ProvisionError('no nodes were added from this computer (kubelab node add)');
  const { listener, stop } = progressDisplay();
  const name = basename(archivePath).replace(/^\.+/, '');
  const results: string[] = [];
  try {
    // One node at a time: an archive is large, and the laptop's uplink is shared.
    for (const node of chosen) {
      const record = registry.get(node);
      if (!record) throw new ProvisionError(`node ${node} was not added from this computer (kubelab node list)`);
      const host = await connectNode(dataDir, flagsOf(record, password), (l) => process.stderr.write(`${l}\n`));
      try {
        results.push(`${node}: ${await step(listener, host.label, `image ${name}`, () => loadOn(host, archive, name))}`);
      } finally {
        await host.close();
      }
    }
  } finally {
    stop();
  }
  return `${results.join('\n')}\n`;
}

/** Uploads under a dot name (the importer skips those), renames it in, waits for the verdict. */
async function loadOn(host: RemoteHost, archive: Buffer, name: string, timeoutMs = 300_000): Promise<string> {
  const partial = `${IMAGES}/import/.${name}.uploading`;
  await host.run(`mkdir -p ${IMAGES}/import`, { sudo: true });
  await host.upload(archive, partial, { sudo: true, mode: 0o600 });
  const mv = await host.run(`mv -f ${shellQuote(partial)} ${shellQuote(`${IMAGES}/import/${name}`)}`, { sudo: true });
  if (mv.code !== 0) throw new Error(`${host.label}: cannot move the archive into ${IMAGES}/import: ${mv.stderr.trim()}`);
  const check = `if [ -e ${shellQuote(`${IMAGES}/imported/${name}`)} ]; then echo imported; elif [ -e ${shellQuote(`${IMAGES}/failed/${name}.error`)} ]; then echo "failed: $(cat ${shellQuote(`${IMAGES}/failed/${name}.error`)})"; fi`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const said = (await host.run(check, { sudo: true })).stdout.trim();
    if (said === 'imported') return 'imported';
    if (said.startsWith('failed')) throw new Error(`${host.label}: the agent refused ${name}: ${said.slice('failed: '.length)}`);
    if (Date.now() > deadline) throw new Error(`${host.label}: the agent did not import ${name} within ${timeoutMs / 1000} s (is it running? kubelab node list)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
