// Hard eviction thresholds (--eviction-hard, pkg/kubelet/eviction/api): a signal, and the
// quantity or share of capacity below which it is met. The node's pressure conditions and the
// eviction manager both decide from these, so a node never reports pressure it does not act on.
import type { MachinePressure } from '../machine.ts';
import { parseQuantity, value } from '../../../util/quantity.ts';

export type Signal = 'memory.available' | 'nodefs.available' | 'nodefs.inodesFree' | 'imagefs.available' | 'imagefs.inodesFree' | 'pid.available';

export interface Threshold {
  signal: Signal;
  /** An absolute amount (bytes; pids for pid.available)… */
  quantity?: number;
  /** …or a share of the capacity, 0..1. */
  percentage?: number;
}

export interface Observation {
  available: number;
  capacity: number;
}

export type Observations = Record<Signal, Observation>;

const signals: Signal[] = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'];

/** "memory.available<100Mi,nodefs.available<10%", as the kubelet's flag; throws on anything else. */
export function parseEvictionHard(text: string): Threshold[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((part) => {
    const m = /^([a-zA-Z.]+)<(.+)$/.exec(part);
    if (!m || !signals.includes(m[1] as Signal)) throw new Error(`eviction threshold "${part}": unsupported eviction signal`);
    const signal = m[1] as Signal;
    if (m[2].endsWith('%')) {
      const pct = Number(m[2].slice(0, -1));
      if (!(pct >= 0 && pct <= 100)) throw new Error(`eviction threshold "${part}": invalid percentage`);
      return { signal, percentage: pct / 100 };
    }
    return { signal, quantity: value(parseQuantity(m[2])) };
  });
}

// Upstream's defaults for --eviction-hard on Linux (pid.available has none upstream; 5% here
// keeps a node that runs out of pids from starting containers it cannot run).
export const defaultEvictionHard: readonly Threshold[] = parseEvictionHard(
  'memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%,imagefs.inodesFree<5%,pid.available<5%',
);

export function observe(p: MachinePressure): Observations {
  return {
    'memory.available': { available: p.memoryAvailableBytes, capacity: p.memoryCapacityBytes },
    'nodefs.available': p.nodefs,
    'nodefs.inodesFree': p.nodefsInodes,
    'imagefs.available': p.imagefs,
    'imagefs.inodesFree': p.imagefsInodes,
    'pid.available': { available: Math.max(0, p.pidMax - p.processes), capacity: p.pidMax },
  };
}

/** The amount a threshold stands for on this capacity (a share truncated, as upstream). */
export function thresholdQuantity(t: Threshold, capacity: number): number {
  return t.quantity ?? Math.trunc(capacity * (t.percentage ?? 0));
}

/** The thresholds the observations meet: available strictly below the threshold. */
export function thresholdsMet(thresholds: readonly Threshold[], obs: Observations): Threshold[] {
  return thresholds.filter((t) => obs[t.signal].capacity > 0 && obs[t.signal].available < thresholdQuantity(t, obs[t.signal].capacity));
}

export type PressureCondition = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

/** The node conditions a met threshold sets (signalToNodeCondition). */
export const conditionOf: Record<Signal, PressureCondition> = {
  'memory.available': 'MemoryPressure',
  'nodefs.available': 'DiskPressure',
  'nodefs.inodesFree': 'DiskPressure',
  'imagefs.available': 'DiskPressure',
  'imagefs.inodesFree': 'DiskPressure',
  'pid.available': 'PIDPressure',
};

export function pressureConditions(thresholds: readonly Threshold[], p: MachinePressure): Set<PressureCondition> {
  return new Set(thresholdsMet(thresholds, observe(p)).map((t) => conditionOf[t.signal]));
}

/** The resource a signal starves (signalToResource): what the eviction message names. */
export const resourceOf: Record<Signal, 'memory' | 'ephemeral-storage' | 'inodes' | 'pids'> = {
  'memory.available': 'memory',
  'nodefs.available': 'ephemeral-storage',
  'nodefs.inodesFree': 'inodes',
  'imagefs.available': 'ephemeral-storage',
  'imagefs.inodesFree': 'inodes',
  'pid.available': 'pids',
};
