// Who is asking. Bearer tokens for now (the admin token made on first start); client
// certificates and service-account tokens plug in here later as more Authenticators.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

export interface Authenticator {
  /** The user, or undefined when this authenticator does not recognise the request. */
  authenticate(req: IncomingMessage): UserInfo | undefined;
}

export const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** A fixed table of tokens (upstream's static token file). */
export class TokenAuthenticator implements Authenticator {
  private readonly tokens: { token: Buffer; user: UserInfo }[];

  constructor(entries: { token: string; user: UserInfo }[]) {
    this.tokens = entries.map((e) => ({ token: Buffer.from(e.token), user: e.user }));
  }

  authenticate(req: IncomingMessage): UserInfo | undefined {
    const given = bearerToken(req);
    if (!given) return undefined;
    const g = Buffer.from(given);
    for (const { token, user } of this.tokens) {
      if (token.length === g.length && timingSafeEqual(token, g)) return user;
    }
    return undefined;
  }
}

/** Tries each authenticator in turn. */
export function unionAuthenticator(list: Authenticator[]): Authenticator {
  return {
    authenticate(req) {
      for (const a of list) {
        const u = a.authenticate(req);
        if (u) return u;
      }
      return undefined;
    },
  };
}
