// Who is asking: the admin token made on first start, bootstrap tokens (joining nodes) and client
// certificates the cluster CA signed (nodes); service-account tokens plug in here later.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

export interface Authenticator {
  /**
   * The user, or undefined when this authenticator does not recognise the request. Throws
   * AuthenticationRejected when it recognises a credential it finds invalid.
   */
  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/**
 * A credential that was presented and is not valid (an expired bootstrap token, a certificate
 * another CA signed). Unless another credential of the request succeeds, the answer is 401, also
 * where anonymous users are let in: upstream's union fails on such errors too. The message is
 * the reason, for the API server's log; it never holds the credential.
 */
export class AuthenticationRejected extends Error {}

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

/** Tries each authenticator in turn: the first user wins, else the first rejection stands. */
export function unionAuthenticator(list: Authenticator[]): Authenticator {
  return {
    async authenticate(req) {
      let rejected: AuthenticationRejected | undefined;
      for (const a of list) {
        try {
          const u = await a.authenticate(req);
          if (u) return u;
        } catch (e) {
          if (!(e instanceof AuthenticationRejected)) throw e;
          rejected ??= e;
        }
      }
      if (rejected) throw rejected;
      return undefined;
    },
  };
}
