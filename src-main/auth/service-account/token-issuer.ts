// Signs bound service-account tokens (what TokenRequest hands out), on the API server's clock.
import type { ServiceAccountKey } from './signing-key.ts';
import { signJWT } from './jwt.ts';
import { tokenClaims, type TokenSubject } from './claims.ts';

export interface IssuedToken {
  token: string;
  expirationTimestamp: Date;
}

export class ServiceAccountTokenIssuer {
  constructor(
    private readonly key: Pick<ServiceAccountKey, 'privateKey' | 'kid'>,
    private readonly now: () => number,
  ) {}

  issue(subject: TokenSubject, audiences: string[], expirationSeconds: number): IssuedToken {
    const nowSeconds = Math.floor(this.now() / 1000);
    const token = signJWT(tokenClaims(subject, audiences, nowSeconds, expirationSeconds), this.key.privateKey, this.key.kid);
    return { token, expirationTimestamp: new Date((nowSeconds + expirationSeconds) * 1000) };
  }
}
