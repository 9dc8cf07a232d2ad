// Whether a pod may start on a node under pressure (the eviction manager's Admit): under memory
// pressure alone only BestEffort pods are turned away (unless they tolerate the memory-pressure
// taint); under disk or pid pressure every pod is. Critical pods always start. A rejected pod
// ends Failed with reason Evicted and "Pod was rejected: The node had condition: [DiskPressure]. ".
import type { Pod } from 'kubernetes-types/core/v1';
import { tolerates } from '../../../scheduler/corev1/taints.ts';
import type { PressureCondition } from './thresholds.ts';

/** system-node-critical and system-cluster-critical pods: never evicted nor turned away (IsCriticalPod). */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
// The order upstream lists the conditions in.
const order: PressureCondition[] = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** undefined to admit; otherwise the reason's message (nodeConditionMessageFmt). */
export function admissionRejection(pod: Pod, conditions: ReadonlySet<PressureCondition>): string | undefined {
  if (conditions.size === 0 || (pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY) return undefined;
  if (conditions.size === 1 && conditions.has('MemoryPressure')) {
    if (pod.status?.qosClass !== 'BestEffort') return undefined;
    if (tolerates(pod.spec?.tolerations, { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' })) return undefined;
  }
  return `The node had condition: [${order.filter((c) => conditions.has(c)).join(' ')}]. `;
}
