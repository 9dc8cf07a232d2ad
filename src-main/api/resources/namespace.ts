// v1 Namespace: cluster-scoped, named by a DNS-1123 label, born Active with the `kubernetes`
// finalizer (pkg/registry/core/namespace/strategy.go) and labelled with its own name.
import { FieldPath, invalid, type FieldError } from '../field-errors.ts';
import { isQualifiedName } from '../validation/names.ts';
import { nameIsDNSLabel, validateObjectMeta } from '../validation/object-meta.ts';
import { ageColumn, ageOf, arrayAt, ensureRecord, nameColumn, nameOf, recordAt, stringAt } from './shared-meta.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

const finalizerKubernetes = 'kubernetes';
const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** The label every namespace carries with its own name (kubernetes.io/metadata.name). */
export const namespaceNameLabel = 'kubernetes.io/metadata.name';

/** validateFinalizerName: a standard finalizer or a fully qualified (prefixed) name. */
export function validateFinalizerName(name: unknown, path: FieldPath): FieldError[] {
  if (typeof name !== 'string') return [invalid(path, name, 'must be a string')];
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length === 0 && !name.includes('/') && !standardFinalizers.has(name)) {
    errs.push(invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

export const namespace: ResourceDefinition = {
  group: '',
  kind: 'Namespace',
  resource: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  namespaced: false,
  versions: [{ version: 'v1' }],
  subresources: { status: true },
  nameValidation: 'label',
  selectableFields: {
    'status.phase': (obj) => stringAt(recordAt(obj, 'status'), 'phase') ?? '',
  },

  defaults(obj) {
    const name = obj.metadata?.name;
    if (name) {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [namespaceNameLabel]: name };
    }
    const status = ensureRecord(obj, 'status');
    status.phase ??= 'Active';
    // An empty spec is still written, as upstream's JSON shows `spec: {finalizers: [...]}`.
    ensureRecord(obj, 'spec');
  },

  validate(obj) {
    const errs = validateObjectMeta(obj.metadata, false, nameIsDNSLabel);
    const spec = FieldPath.root('spec');
    arrayAt(obj.spec, 'finalizers').forEach((f, i) => errs.push(...validateFinalizerName(f, spec.child('finalizers').index(i))));
    return errs;
  },

  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
    const spec = ensureRecord(obj, 'spec');
    const finalizers = arrayAt(spec, 'finalizers');
    if (!finalizers.includes(finalizerKubernetes)) finalizers.push(finalizerKubernetes);
    spec.finalizers = finalizers;
  },

  // Upstream lets spec.finalizers change only through the finalize subresource (the namespace
  // controller's way to finish a deletion); other writes keep the old list.
  prepareForUpdate(obj, old, ctx) {
    if (ctx.subresource === 'finalize') return;
    const oldFinalizers = arrayAt(old.spec, 'finalizers');
    const spec = ensureRecord(obj, 'spec');
    if (oldFinalizers.length > 0) spec.finalizers = [...oldFinalizers];
    else delete spec.finalizers;
  },

  table: {
    columns: [nameColumn, { name: 'Status', type: 'string', description: 'The phase of the namespace: Active or Terminating.', priority: 0 }, ageColumn],
    cells: (obj: KubeObject, now: Date) => [nameOf(obj), stringAt(recordAt(obj, 'status'), 'phase') ?? '', ageOf(obj, now)],
  },
};
