// The kubelet's service-account token manager: a projected serviceAccountToken source gets a
// token from the TokenRequest API for the pod's service account, bound to the pod, and keeps it
// until 80 % of its lifetime has passed (or a day, whichever is first), as upstream's
// token_manager: then the next sync asks for a fresh one. Tokens of pods gone are dropped once
// they expire.
import type { Pod, ServiceAccountTokenProjection } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../../client/kube-client.ts';

const MAX_TTL_MS = 24 * 60 * 60 * 1000;

interface HeldToken {
  podUID: string;
  token: string;
  /** When the next sync should ask for a new one. */
  refreshAt: number;
  expiresAt: number;
}

interface TokenRequestAnswer {
  status?: { token?: string; expirationTimestamp?: string };
}

export class ServiceAccountTokenManager {
  private readonly tokens = new Map<string, HeldToken>();

  constructor(
    private readonly client: Pick<KubeClient, 'request'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token for a projection of the pod: the held one, or a new one when it is due. */
  async token(pod: Pod, projection: ServiceAccountTokenProjection): Promise<string> {
    const m = pod.metadata!;
    const expirationSeconds = projection.expirationSeconds ?? 3600;
    const key = `${m.uid}/${projection.audience ?? ''}/${expirationSeconds}`;
    const now = this.now();
    this.prune(now);
    const held = this.tokens.get(key);
    if (held && now < held.refreshAt) return held.token;
    let answer: TokenRequestAnswer;
    try {
      answer = await this.request(pod, projection.audience, expirationSeconds);
    } catch (e) {
      // The API out of reach: a token that is still valid is still good (upstream's manager).
      if (held && now < held.expiresAt) return held.token;
      throw e;
    }
    const token = answer.status?.token;
    const expiresAt = Date.parse(answer.status?.expirationTimestamp ?? '');
    if (!token || Number.isNaN(expiresAt)) throw new Error(`service account token for pod ${m.namespace}/${m.name}: the TokenRequest answer has no token`);
    const lifetime = expiresAt - now;
    this.tokens.set(key, { podUID: m.uid!, token, expiresAt, refreshAt: now + Math.min(lifetime * 0.8, MAX_TTL_MS) });
    return token;
  }

  private request(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<TokenRequestAnswer> {
    const m = pod.metadata!;
    const sa = pod.spec?.serviceAccountName || 'default';
    const path = `/api/v1/namespaces/${encodeURIComponent(m.namespace ?? 'default')}/serviceaccounts/${encodeURIComponent(sa)}/token`;
    return this.client.request<TokenRequestAnswer>('POST', path, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        // No audience: the API's own (the server's default).
        audiences: audience ? [audience] : [],
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: m.name, uid: m.uid },
      },
    });
  }

  /** When the pod's earliest token is due for a refresh, or undefined when it holds none. */
  refreshDue(podUID: string): number | undefined {
    let due: number | undefined;
    for (const t of this.tokens.values()) if (t.podUID === podUID && (due === undefined || t.refreshAt < due)) due = t.refreshAt;
    return due;
  }

  private prune(now: number): void {
    for (const [key, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(key);
  }
}
