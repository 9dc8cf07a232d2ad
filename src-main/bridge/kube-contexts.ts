// The kubeconfig contexts the app can open besides its built-in cluster: those of $KUBECONFIG
// (a path list, as kubectl reads it) or ~/.kube/config. A context opens with the same client as
// everything else (token or client certificate, CA pinned).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseKubeconfig } from '../client/kubeconfig.ts';
import { writeFileAtomic } from '../util/files.ts';
import type { ClientConfig } from './client-config.ts';

export interface KubeContext {
  name: string;
  server: string;
  user?: string;
  namespace?: string;
  /** The kubeconfig file that defines it. */
  file: string;
}

/** The files kubectl would read, in its order (the first to define a context wins). */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
  return list.filter((f) => existsSync(f));
}

/** Every context of the files, skipping files that cannot be read (with no error: kubectl warns too). */
export function readContexts(files: readonly string[]): KubeContext[] {
  const seen = new Map<string, KubeContext>();
  for (const file of files) {
    let doc: { contexts?: unknown; clusters?: unknown } | undefined;
    try {
      doc = parse(readFileSync(file, 'utf8')) as typeof doc;
    } catch {
      continue;
    }
    const clusters = new Map<string, string>();
    for (const c of asList(doc?.clusters)) if (typeof c.name === 'string') clusters.set(c.name, String((c.cluster as { server?: unknown })?.server ?? ''));
    for (const c of asList(doc?.contexts)) {
      const ctx = c.context as { cluster?: unknown; user?: unknown; namespace?: unknown } | undefined;
      if (typeof c.name !== 'string' || seen.has(c.name) || !ctx) continue;
      seen.set(c.name, {
        name: c.name,
        server: clusters.get(String(ctx.cluster)) ?? '',
        ...(typeof ctx.user === 'string' ? { user: ctx.user } : {}),
        ...(typeof ctx.namespace === 'string' ? { namespace: ctx.namespace } : {}),
        file,
      });
    }
  }
  return [...seen.values()];
}

/**
 * How the bridge reaches a context. Local shells get a KUBECONFIG that selects it: a small file
 * setting only current-context, first in the list, then the user's own files (kubectl's merge
 * takes the first value set), so their credentials are never copied.
 */
export function contextClientConfig(context: KubeContext, files: readonly string[], stateDir: string, token: string): ClientConfig {
  const connection = parseKubeconfig(readFileSync(context.file, 'utf8'), context.name, dirname(context.file));
  const override = join(stateDir, 'context.kubeconfig');
  writeFileAtomic(override, stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': context.name }), 0o600);
  return {
    connection,
    token,
    info: { context: context.name, server: connection.server },
    kubeconfigPath: [override, ...files].join(delimiter),
  };
}

function asList(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((e): e is Record<string, unknown> => !!e && typeof e === 'object') : [];
}
