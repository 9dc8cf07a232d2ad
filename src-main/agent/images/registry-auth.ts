// Registry authentication as Docker does it: a request without credentials gets a 401 with a
// `WWW-Authenticate` challenge; `Bearer realm=…,service=…,scope=…` means "get a token from the
// realm" (anonymously, or with basic credentials), `Basic` means "send the credentials".
import { ImageError } from './image-error.ts';
import type { Credentials, RegistryTLSConfig } from './registry-config.ts';
import { readBody, registryError, registryRequest } from './registry-http.ts';

export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="a,b"` (quoted values may hold commas). */
export function parseChallenge(header: string): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const paramRe = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/g;
  for (const m of (match[2] ?? '').matchAll(paramRe)) {
    params[(m[1] ?? '').toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme: (match[1] ?? '').toLowerCase(), params };
}

export function basicAuthorization(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

/**
 * Gets a bearer token for a challenge (the distribution token spec): GET realm?service&scope,
 * with basic credentials when there are any. `scope` is the challenge's or our own.
 */
export async function fetchToken(
  challenge: AuthChallenge,
  scope: string,
  creds: Credentials | undefined,
  tls: RegistryTLSConfig,
): Promise<string> {
  const realm = challenge.params.realm;
  if (!realm) throw new ImageError('ErrImagePull', 'registry sent a Bearer challenge without a realm');
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  for (const s of (challenge.params.scope ?? scope).split(' ').filter(Boolean)) url.searchParams.append('scope', s);
  const headers: Record<string, string> = {};
  if (creds) headers.Authorization = basicAuthorization(creds);
  const res = await registryRequest(url, { headers, tls });
  if (res.status !== 200) {
    throw await registryError(res, `fetching a token from ${url.origin}${url.pathname}${creds ? ` as ${creds.username}` : ''}`);
  }
  const body = JSON.parse((await readBody(res.body, 1024 * 1024)).toString('utf8')) as {
    token?: string;
    access_token?: string;
  };
  const token = body.token ?? body.access_token;
  if (!token) throw new ImageError('ErrImagePull', `token server ${url.origin} answered without a token`);
  return token;
}
