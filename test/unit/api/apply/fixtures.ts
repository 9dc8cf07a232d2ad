// A Deployment as kubectl sends it, for the apply and managedFields tests.
import { schemaFor } from '../../../../src-main/api/openapi/spec.ts';
import type { Schema } from '../../../../src-main/api/openapi/spec.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';

export const deploymentSchema: Schema | undefined = schemaFor('apps', 'v1', 'Deployment');

export function deployment(opts: { replicas?: number; image?: string; env?: { name: string; value: string }[]; labels?: Record<string, string> } = {}): KubeObject {
  const container: Record<string, unknown> = {
    name: 'web',
    image: opts.image ?? 'nginx:1.25',
    ports: [{ containerPort: 80, protocol: 'TCP' }],
  };
  if (opts.env) container.env = opts.env;
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } },
  };
  if (opts.replicas !== undefined) spec.replicas = opts.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec,
  };
}

/** The managedFields entry of one manager, or undefined. */
export function entryOf(obj: KubeObject, manager: string, operation?: string): Record<string, unknown> | undefined {
  const entries = (obj.metadata.managedFields ?? []) as Record<string, unknown>[];
  return entries.find((e) => e.manager === manager && (!operation || e.operation === operation));
}

export const t0 = new Date('2026-11-25T04:00:00.123Z');
export const t1 = new Date('2026-11-25T04:05:00.456Z');
export const t2 = new Date('2026-11-25T04:10:00Z');
