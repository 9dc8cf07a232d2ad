// A pod's QoS class, computed as upstream's GetPodQOS: it decides eviction order on a node and is
// shown by `kubectl describe`. Only cpu and memory count, zero values are ignored.
import type { Container, PodSpec } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../../../util/quantity.ts';
import { isRecord, items } from './json.ts';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const qosResources = ['cpu', 'memory'];

function positive(list: unknown): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  if (!isRecord(list)) return out;
  for (const [name, raw] of Object.entries(list)) {
    if (!qosResources.includes(name)) continue;
    try {
      const q = parseQuantity(raw as string | number);
      if (q.nanos > 0n) out.set(name, q);
    } catch {
      // Invalid quantities are reported by validation; here they count as absent.
    }
  }
  return out;
}

export function podQOSClass(spec: PodSpec): QOSClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  const containers = [...items<Container>(spec.containers), ...items<Container>(spec.initContainers)].filter(isRecord);
  for (const c of containers) {
    for (const [name, q] of positive(c.resources?.requests)) requests.set(name, (requests.get(name) ?? 0n) + q.nanos);
    const found = positive(c.resources?.limits);
    for (const [name, q] of found) limits.set(name, (limits.get(name) ?? 0n) + q.nanos);
    if (!qosResources.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
