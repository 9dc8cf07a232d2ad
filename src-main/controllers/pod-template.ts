// A pod made from a workload's template, as upstream's PodControl.CreatePodsWithControllerRef
// does it: the template's labels, annotations, finalizers and spec; a generated name after the
// owner's; the owner as controller.
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { cloneJSON } from '../util/clone-json.ts';

/** generateName of an owner's pods: "web-5d4f8c7b9" → "web-5d4f8c7b9-", cut to fit names. */
export function generateNamePrefix(ownerName: string): string {
  // 63 - 5 random characters the server adds; upstream keeps the prefix at most 58 long
  const prefix = `${ownerName}-`;
  return prefix.length > 58 ? prefix.slice(0, 58) : prefix;
}

export function podFromTemplate(template: PodTemplateSpec, namespace: string, ownerName: string, ref: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: generateNamePrefix(ownerName),
      namespace,
      labels: { ...meta.labels },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: cloneJSON(template.spec!),
  };
}
