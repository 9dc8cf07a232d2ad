// The ClusterRole aggregation controller (upstream's pkg/controller/clusterroleaggregation): a
// ClusterRole with an aggregationRule has as rules the union of the rules of every other
// ClusterRole its selectors match, in the order of the matched roles' names. Any ClusterRole
// changing may change any aggregate, so every change queues every aggregated role; an aggregate
// made of aggregates (edit includes view) settles as each one is updated in turn.
import { isDeepStrictEqual } from 'node:util';
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1';
import type { Informer } from '../client/informer.ts';
import { matchesSelector } from '../client/label-selector.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';

/** The rules an aggregated role should have, given every ClusterRole. */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const byName = [...all].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const rules: PolicyRule[] = [];
  for (const selector of role.aggregationRule?.clusterRoleSelectors ?? []) {
    for (const other of byName) {
      if (other.metadata?.name === role.metadata?.name || !matchesSelector(selector, other.metadata?.labels)) continue;
      for (const rule of other.rules ?? []) if (!rules.some((r) => isDeepStrictEqual(r, rule))) rules.push(rule);
    }
  }
  return rules;
}

export class ClusterRoleAggregationController extends QueueController {
  private readonly roles: Informer<ClusterRole>;

  constructor(ctx: ControllerContext) {
    super('clusterrole-aggregation-controller', ctx, 1);
    this.roles = ctx.informers.informer<ClusterRole>(gvr.clusterRoles);
    const enqueueAggregates = (): void => {
      for (const r of this.roles.list()) if (r.aggregationRule) this.enqueue(r);
    };
    this.roles.on('add', enqueueAggregates).on('update', enqueueAggregates).on('delete', enqueueAggregates);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const role = this.roles.get(key);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.list());
    if (isDeepStrictEqual(rules, role.rules ?? [])) return;
    // A conflict (the role changed meanwhile) is retried from the fresher cache.
    await this.ctx.client.update(gvr.clusterRoles, { ...structuredClone(role), rules }, { fieldManager: 'clusterrole-aggregation-controller' });
  }
}
