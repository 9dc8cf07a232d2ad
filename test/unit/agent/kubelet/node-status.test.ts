import { describe, expect, it } from 'vitest';
import { nodeConditions, nodeStatus, statusChanged, type NodeConfig } from '../../../../src-main/agent/kubelet/node-status.ts';
import type { MachineInfo, MachinePressure } from '../../../../src-main/agent/kubelet/machine.ts';
import { parseEvictionHard } from '../../../../src-main/agent/kubelet/eviction/thresholds.ts';

const Mi = 1024 * 1024;
const machine: MachineInfo = {
  milliCPU: 1500, memoryBytes: 2048 * Mi, machineID: 'm', bootID: 'b', systemUUID: 'u',
  kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'arm64', hostname: 'pi',
};
const fs = (available: number) => ({ available, capacity: 1000 * Mi });
const inodes = { available: 9000, capacity: 10000 };
const healthy: MachinePressure = { memoryAvailableBytes: 1024 * Mi, memoryCapacityBytes: 2048 * Mi, nodefs: fs(500 * Mi), imagefs: fs(500 * Mi), nodefsInodes: inodes, imagefsInodes: inodes, processes: 200, pidMax: 32768 };
const config: NodeConfig = { name: 'pi', address: '192.168.1.20', runtimeVersion: 'runc://1.1.5', maxPods: 110 };
const t1 = '2026-12-01T10:00:00Z';
const t2 = '2026-12-01T10:00:10Z';

const byType = (conditions: ReturnType<typeof nodeConditions>) => Object.fromEntries(conditions.map((c) => [c.type, c]));

describe('node status', () => {
  it('reports capacity, allocatable (less the 100Mi eviction threshold), addresses and nodeInfo', () => {
    const s = nodeStatus(config, machine, healthy, undefined, t1);
    expect(s.capacity).toEqual({ cpu: '1500m', memory: '2097152Ki', pods: '110' });
    expect(s.allocatable).toEqual({ cpu: '1500m', memory: '1994752Ki', pods: '110' });
    expect(s.addresses).toEqual([{ type: 'InternalIP', address: '192.168.1.20' }, { type: 'Hostname', address: 'pi' }]);
    expect(s.nodeInfo).toMatchObject({ architecture: 'arm64', operatingSystem: 'linux', kernelVersion: '6.1.0', containerRuntimeVersion: 'runc://1.1.5', bootID: 'b' });
    expect(nodeStatus(config, { ...machine, milliCPU: 4000 }, healthy, undefined, t1).capacity!.cpu).toBe('4');
  });

  it('turns each pressure condition True at upstream thresholds, and Ready False without a runtime', () => {
    expect(Object.values(byType(nodeConditions(config, healthy, undefined, t1))).map((c) => `${c.type}=${c.status}`)).toEqual(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    const squeezed = byType(nodeConditions({ ...config, runtimeVersion: undefined }, { ...healthy, memoryAvailableBytes: 99 * Mi, nodefs: fs(90 * Mi), processes: 31200 }, undefined, t1));
    expect(squeezed.MemoryPressure).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientMemory' });
    expect(squeezed.DiskPressure).toMatchObject({ status: 'True', reason: 'KubeletHasDiskPressure' });
    expect(squeezed.PIDPressure).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientPID' });
    expect(squeezed.Ready).toMatchObject({ status: 'False', reason: 'KubeletNotReady' });
    expect(squeezed.Ready.message).toContain('container runtime is down');
    const edge = byType(nodeConditions(config, { ...healthy, memoryAvailableBytes: 100 * Mi, nodefs: fs(100 * Mi), imagefs: fs(150 * Mi) }, undefined, t1));
    expect([edge.MemoryPressure.status, edge.DiskPressure.status]).toEqual(['False', 'False']);
  });

  it('moves lastTransitionTime only when a status changes, and heartbeats alone are no change', () => {
    const first = nodeStatus(config, machine, healthy, undefined, t1);
    const again = nodeStatus(config, machine, healthy, first.conditions, t2);
    expect(byType(again.conditions!).Ready).toMatchObject({ lastHeartbeatTime: t2, lastTransitionTime: t1 });
    expect(statusChanged(first, again)).toBe(false);
    const pressed = nodeStatus(config, machine, { ...healthy, memoryAvailableBytes: Mi }, first.conditions, t2);
    expect(byType(pressed.conditions!).MemoryPressure).toMatchObject({ status: 'True', lastTransitionTime: t2 });
    expect(byType(pressed.conditions!).Ready.lastTransitionTime).toBe(t1);
    expect(statusChanged(first, pressed)).toBe(true);
  });

  it('takes its pressure from the eviction thresholds: imagefs counts as disk, and set thresholds win', () => {
    const images = byType(nodeConditions(config, { ...healthy, imagefs: fs(149 * Mi) }, undefined, t1));
    expect(images.DiskPressure.status).toBe('True');
    // Inodes count as disk too, at upstream's 5%.
    expect(byType(nodeConditions(config, { ...healthy, nodefsInodes: { available: 499, capacity: 10000 } }, undefined, t1)).DiskPressure.status).toBe('True');
    expect(byType(nodeConditions(config, { ...healthy, imagefsInodes: { available: 500, capacity: 10000 } }, undefined, t1)).DiskPressure.status).toBe('False');
    const strict = { ...config, evictionHard: parseEvictionHard('memory.available<2000Mi,pid.available<1000') };
    const c = byType(nodeConditions(strict, healthy, undefined, t1));
    expect([c.MemoryPressure.status, c.DiskPressure.status, c.PIDPressure.status]).toEqual(['True', 'False', 'False']);
    expect(byType(nodeConditions(strict, { ...healthy, processes: 31900 }, undefined, t1)).PIDPressure.status).toBe('True');
    // Allocatable keeps back the memory threshold that is set.
    expect(nodeStatus(strict, machine, healthy, undefined, t1).allocatable!.memory).toBe(`${48 * 1024}Ki`);
    expect(() => parseEvictionHard('memory.free<1Gi')).toThrow(/unsupported eviction signal/);
  });
});
