// Apply conflicts and the 409 Status kube-apiserver answers with. The wording matters: users and
// tools (kubectl prints it as is, some controllers match on it) know it from upstream.

export interface ApplyConflict {
  manager: string;
  /** The API version the other manager wrote with (shown for updaters only, as upstream). */
  apiVersion: string;
  /** The field, as upstream prints paths: `.spec.replicas`, `.spec.containers[name="app"].image`. */
  field: string;
  operation?: 'Apply' | 'Update';
  subresource?: string;
}

export class ApplyConflictError extends Error {
  readonly conflicts: ApplyConflict[];
  constructor(conflicts: ApplyConflict[]) {
    super('');
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
    this.message = applyConflictStatus(this).message;
  }
}

/** A request upstream answers with 400 Bad Request (e.g. managedFields in an apply patch). */
export class ApplyBadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplyBadRequestError';
  }
}

function printManager(c: ApplyConflict): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  // Apply entries carry no version in their identity, so upstream prints none for them.
  if (c.operation !== 'Apply') s += ` using ${c.apiVersion}`;
  return s;
}

// Upstream groups by the manager's JSON identifier and sorts those strings.
function identity(c: ApplyConflict): string {
  const id: Record<string, string> = { manager: c.manager, operation: c.operation ?? 'Update' };
  if (c.operation !== 'Apply') id.apiVersion = c.apiVersion;
  if (c.subresource) id.subresource = c.subresource;
  return JSON.stringify(id);
}

export function applyConflictStatus(err: ApplyConflictError): {
  message: string;
  causes: { reason: string; message: string; field: string }[];
} {
  const causes = err.conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c)}`,
    field: c.field,
  }));
  const n = err.conflicts.length;
  if (n === 1) {
    const c = err.conflicts[0];
    return { message: `Apply failed with 1 conflict: conflict with ${printManager(c)}: ${c.field}`, causes };
  }
  const groups = new Map<string, ApplyConflict[]>();
  for (const c of err.conflicts) {
    const id = identity(c);
    groups.set(id, [...(groups.get(id) ?? []), c]);
  }
  const lines: string[] = [];
  for (const id of [...groups.keys()].sort()) {
    const group = groups.get(id)!;
    lines.push(`conflicts with ${printManager(group[0])}:`);
    for (const c of group) lines.push(`- ${c.field}`);
  }
  return { message: `Apply failed with ${n} conflicts: ${lines.join('\n')}`, causes };
}
