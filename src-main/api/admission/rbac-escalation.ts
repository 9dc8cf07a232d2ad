// RBAC's escalation check as an admission plugin: every create or update of an RBAC object
// (status and other subresources too) is checked against what the writer holds.
import type { EscalationCheck } from '../../auth/rbac/escalation-check.ts';
import { rbacGroup } from '../resources/rbac/binding.ts';
import type { AdmissionPlugin } from './admission.ts';

export function rbacEscalation(check: EscalationCheck): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    validate(a) {
      if (a.operation === 'DELETE' || !a.obj || a.group !== rbacGroup) return;
      check.check({ user: a.user, resource: a.resource, obj: a.obj });
    },
  };
}
