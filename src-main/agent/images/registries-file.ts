// The node's registries.yaml (k3s' format: mirrors and configs), read once at start. A file that
// is there but wrong stops the agent with one line naming the file and the field.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { RegistryConfig } from './registry-config.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The settings in `path`; undefined when the file does not exist and was not asked for by name. */
export function readRegistriesFile(path: string, required: boolean): RegistryConfig | undefined {
  if (!existsSync(path)) {
    if (required) throw new Error(`registry config ${path}: no such file`);
    return undefined;
  }
  const fail = (what: string): never => {
    throw new Error(`registry config ${path}: ${what}`);
  };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8')) ?? {};
  } catch (e) {
    return fail((e as Error).message.split('\n')[0] ?? 'not YAML');
  }
  if (!isRecord(doc)) return fail('must be a mapping with mirrors and configs');
  const { mirrors = {}, configs = {} } = doc;
  if (!isRecord(mirrors)) return fail('mirrors must be a mapping of registry hosts');
  if (!isRecord(configs)) return fail('configs must be a mapping of registry hosts');
  for (const [host, m] of Object.entries(mirrors)) {
    const endpoint = isRecord(m) ? m.endpoint : undefined;
    if (!Array.isArray(endpoint) || endpoint.some((e) => typeof e !== 'string' || !/^https?:\/\/[^/]/.test(e))) fail(`mirrors.${host}.endpoint must be a list of http:// or https:// URLs`);
  }
  for (const [host, c] of Object.entries(configs)) {
    if (!isRecord(c)) fail(`configs.${host} must be a mapping (tls, auth)`);
  }
  return { mirrors, configs } as RegistryConfig;
}
