// Per-node registry settings, modelled on k3s' /etc/rancher/k3s/registries.yaml: `mirrors` lists
// the endpoints to try for a registry host (an `http://` endpoint is how a plain-HTTP registry is
// declared), `configs` holds TLS and credentials per host. Pull secrets (imagePullSecrets, the
// dockerconfigjson format) are read here too, so that one lookup yields a pull's credentials.
import { dockerHubRegistry } from './reference.ts';

export interface RegistryTLSConfig {
  insecureSkipVerify?: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface RegistryAuthConfig {
  username?: string;
  password?: string;
  /** base64(username:password), as in a docker config. */
  auth?: string;
}

export interface RegistryConfig {
  mirrors?: Record<string, { endpoint: string[] }>;
  configs?: Record<string, { tls?: RegistryTLSConfig; auth?: RegistryAuthConfig }>;
}

export interface Credentials {
  username: string;
  password: string;
}

/** The docker.io registry API lives on this host (Docker's default endpoint). */
const dockerHubEndpoint = 'https://registry-1.docker.io';

/** Registries on loopback may speak plain HTTP, as Docker allows without configuration. */
export function isLoopbackHost(host: string): boolean {
  const name = hostName(host);
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** `host:port` or `[v6]:port` → the host name alone. */
export function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon >= 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/**
 * Endpoints to try for a registry, in order: its mirrors, then the registry itself (containerd
 * falls back to the upstream host when every mirror fails). Each is a base URL without /v2.
 */
export function registryEndpoints(registry: string, config: RegistryConfig = {}): URL[] {
  const mirrors = config.mirrors?.[registry]?.endpoint ?? config.mirrors?.['*']?.endpoint ?? [];
  const defaultEndpoint =
    registry === dockerHubRegistry
      ? dockerHubEndpoint
      : `${isLoopbackHost(registry) ? 'http' : 'https'}://${registry}`;
  const urls: URL[] = [];
  for (const text of mirrors) {
    const url = new URL(text.includes('://') ? text : `https://${text}`);
    url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '');
    if (!urls.some((u) => u.href === url.href)) urls.push(url);
  }
  // An endpoint on the registry's own host replaces the default: that is how registries.yaml
  // says "this registry speaks plain HTTP" (or HTTPS, for one on loopback).
  const fallback = new URL(defaultEndpoint);
  if (!urls.some((u) => u.host === fallback.host)) urls.push(fallback);
  return urls;
}

/** TLS settings for an endpoint host (k3s keys `configs` by the host actually contacted). */
export function tlsConfigFor(endpoint: URL, registry: string, config: RegistryConfig = {}): RegistryTLSConfig {
  return config.configs?.[endpoint.host]?.tls ?? config.configs?.[registry]?.tls ?? {};
}

/** The parsed form of a kubernetes.io/dockerconfigjson secret's `.dockerconfigjson` key. */
export interface DockerConfigJSON {
  auths?: Record<string, RegistryAuthConfig>;
}

/** Parses a .dockerconfigjson (or legacy .dockercfg, a bare `auths` map); throws on bad JSON. */
export function parseDockerConfigJSON(text: string): DockerConfigJSON {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('docker config is not a JSON object');
  const record = parsed as Record<string, unknown>;
  const auths = (typeof record.auths === 'object' && record.auths !== null ? record.auths : record) as Record<
    string,
    RegistryAuthConfig
  >;
  return { auths };
}

/**
 * Credentials for a registry: pull secrets first (in the pod's order, as the kubelet's keyring
 * does), then the node's registry config for the endpoint or registry host.
 */
export function credentialsFor(
  registry: string,
  endpoint: URL | undefined,
  config: RegistryConfig = {},
  pullSecrets: DockerConfigJSON[] = [],
): Credentials | undefined {
  for (const secret of pullSecrets) {
    for (const [key, auth] of Object.entries(secret.auths ?? {})) {
      if (keyMatches(key, registry)) {
        const creds = decodeAuth(auth);
        if (creds) return creds;
      }
    }
  }
  const fromConfig =
    (endpoint && config.configs?.[endpoint.host]?.auth) ?? config.configs?.[registry]?.auth;
  return fromConfig ? decodeAuth(fromConfig) : undefined;
}

const dockerHubAliases = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Docker config keys are hosts, URLs (`https://index.docker.io/v1/`) or `*.domain` globs. */
function keyMatches(key: string, registry: string): boolean {
  const host = key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  if (dockerHubAliases.has(host) && dockerHubAliases.has(registry)) return true;
  if (host.startsWith('*.')) {
    // A glob covers exactly one label, as the kubelet's credential matcher does.
    const suffix = host.slice(1);
    const label = registry.endsWith(suffix) ? registry.slice(0, -suffix.length) : '';
    return label !== '' && !label.includes('.');
  }
  return host === registry;
}

function decodeAuth(auth: RegistryAuthConfig): Credentials | undefined {
  if (auth.username !== undefined && auth.password !== undefined) {
    return { username: auth.username, password: auth.password };
  }
  if (auth.auth) {
    const text = Buffer.from(auth.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  return undefined;
}
