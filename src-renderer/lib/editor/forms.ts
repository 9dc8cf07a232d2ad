// What the visual form shows per kind: the fields people change most, each at its path in the
// object. The form component renders these; edits go through manifest-document.ts.
import type { FieldPath } from './manifest-document.ts';

export type FormField =
  | { type: 'text' | 'integer'; label: string; path: FieldPath; placeholder?: string }
  | { type: 'boolean'; label: string; path: FieldPath }
  | { type: 'select'; label: string; path: FieldPath; options: string[] }
  /** String to string maps: labels, selectors, data. `base64`: values are shown decoded (Secret data). */
  | { type: 'map'; label: string; path: FieldPath; base64?: boolean }
  | { type: 'containers'; label: string; path: FieldPath }
  | { type: 'servicePorts'; label: string; path: FieldPath };

export interface FormSection {
  title: string;
  fields: FormField[];
}

const metadata: FormSection = {
  title: 'Metadata',
  fields: [
    { type: 'text', label: 'Name', path: ['metadata', 'name'] },
    { type: 'text', label: 'Namespace', path: ['metadata', 'namespace'], placeholder: 'the selected namespace' },
    { type: 'map', label: 'Labels', path: ['metadata', 'labels'] },
  ],
};

const podTemplate = (base: FieldPath, restartPolicies?: string[]): FormField[] => [
  ...(restartPolicies ? [{ type: 'select', label: 'Restart policy', path: [...base, 'spec', 'restartPolicy'], options: restartPolicies } as const] : []),
  { type: 'containers', label: 'Containers', path: [...base, 'spec', 'containers'] },
];

const FORMS: Record<string, FormSection[]> = {
  'apps/v1 Deployment': [
    metadata,
    {
      title: 'Deployment',
      fields: [
        { type: 'integer', label: 'Replicas', path: ['spec', 'replicas'] },
        { type: 'map', label: 'Selector', path: ['spec', 'selector', 'matchLabels'] },
        { type: 'map', label: 'Pod labels', path: ['spec', 'template', 'metadata', 'labels'] },
      ],
    },
    { title: 'Pod', fields: podTemplate(['spec', 'template']) },
  ],
  'batch/v1 Job': [
    metadata,
    {
      title: 'Job',
      fields: [
        { type: 'integer', label: 'Completions', path: ['spec', 'completions'] },
        { type: 'integer', label: 'Parallelism', path: ['spec', 'parallelism'] },
        { type: 'integer', label: 'Back-off limit', path: ['spec', 'backoffLimit'] },
      ],
    },
    { title: 'Pod', fields: podTemplate(['spec', 'template'], ['Never', 'OnFailure']) },
  ],
  'batch/v1 CronJob': [
    metadata,
    {
      title: 'CronJob',
      fields: [
        { type: 'text', label: 'Schedule', path: ['spec', 'schedule'], placeholder: '*/5 * * * *' },
        { type: 'boolean', label: 'Suspend', path: ['spec', 'suspend'] },
        { type: 'select', label: 'Concurrency', path: ['spec', 'concurrencyPolicy'], options: ['Allow', 'Forbid', 'Replace'] },
        { type: 'integer', label: 'Completions', path: ['spec', 'jobTemplate', 'spec', 'completions'] },
        { type: 'integer', label: 'Parallelism', path: ['spec', 'jobTemplate', 'spec', 'parallelism'] },
      ],
    },
    { title: 'Pod', fields: podTemplate(['spec', 'jobTemplate', 'spec', 'template'], ['Never', 'OnFailure']) },
  ],
  'v1 Service': [
    metadata,
    {
      title: 'Service',
      fields: [
        { type: 'select', label: 'Type', path: ['spec', 'type'], options: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
        { type: 'map', label: 'Selector', path: ['spec', 'selector'] },
        { type: 'servicePorts', label: 'Ports', path: ['spec', 'ports'] },
      ],
    },
  ],
  'v1 ConfigMap': [metadata, { title: 'Data', fields: [{ type: 'map', label: 'Data', path: ['data'] }] }],
  'v1 Secret': [
    metadata,
    {
      title: 'Secret',
      fields: [
        { type: 'text', label: 'Type', path: ['type'], placeholder: 'Opaque' },
        { type: 'map', label: 'Data (shown decoded)', path: ['data'], base64: true },
      ],
    },
  ],
};

/** The form for a document's apiVersion and kind, or undefined when there is none. */
export function formFor(apiVersion: unknown, kind: unknown): FormSection[] | undefined {
  return FORMS[`${apiVersion} ${kind}`];
}

/** Secret values: UTF-8 text to and from base64. */
export function encodeBase64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

export function decodeBase64(value: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
  } catch {
    return value;
  }
}
