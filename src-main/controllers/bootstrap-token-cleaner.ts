// Upstream's tokencleaner (pkg/controller/bootstrap): bootstrap token Secrets in kube-system
// whose expiration has passed are deleted. The API server refuses an expired token on its own;
// this keeps the Secrets from piling up. Tokens are few and short-lived, so a list of them now
// and then (and at the soonest expiry known) is cheaper than a cache of every Secret.
import type { Secret } from 'kubernetes-types/core/v1';
import { isConflict, isNotFound } from '../client/api-error.ts';
import { gvr } from '../client/resources.ts';
import { BOOTSTRAP_TOKEN_SECRET_TYPE } from '../auth/bootstrap-token.ts';
import { BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenExpiration } from '../auth/bootstrap-token-secret.ts';
import type { Controller, ControllerContext } from './context.ts';

/** How often the tokens are listed, for those made since the last look. */
const SWEEP_PERIOD_MS = 10_000;

export class BootstrapTokenCleaner implements Controller {
  readonly name = 'bootstrap-token-cleaner';
  private cancel = (): void => undefined;
  private stopped = false;

  constructor(private readonly ctx: ControllerContext) {}

  start(): void {
    void this.sweep();
  }

  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  private async sweep(): Promise<void> {
    let nextMs = SWEEP_PERIOD_MS;
    try {
      nextMs = Math.min(nextMs, await this.deleteExpired());
    } catch (e) {
      this.ctx.log(`${this.name}: ${(e as Error).message}`);
    }
    if (!this.stopped) this.cancel = this.ctx.clock.after(nextMs, () => void this.sweep());
  }

  /** Deletes the expired tokens; resolves with the ms until the next one expires. */
  private async deleteExpired(): Promise<number> {
    const list = await this.ctx.client.list<Secret>(gvr.secrets, { namespace: BOOTSTRAP_TOKEN_NAMESPACE, fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
    const now = this.ctx.clock.now();
    let soonest = Infinity;
    for (const secret of list.items) {
      const expires = bootstrapTokenExpiration(secret);
      if (expires === undefined || secret.metadata?.deletionTimestamp) continue;
      if (expires > now) {
        soonest = Math.min(soonest, expires - now);
        continue;
      }
      try {
        await this.ctx.client.delete(gvr.secrets, BOOTSTRAP_TOKEN_NAMESPACE, secret.metadata!.name!, { preconditions: { uid: secret.metadata?.uid } });
        this.ctx.log(`${this.name}: deleted the expired bootstrap token ${secret.metadata!.name}`);
      } catch (e) {
        // Used by a join, or deleted by the provisioner, in the meantime.
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
    return soonest;
  }
}
