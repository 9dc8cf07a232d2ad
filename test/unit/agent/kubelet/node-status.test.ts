import { describe, expect, it } from 'vitest';
import { nodeConditions, nodeStatus, statusChanged, type NodeConfig } from '../../../../src-main/agent/kubelet/node-status.ts';
import type { MachineInfo, MachinePressure } from '../../../../src-main/agent/kubelet/machine.ts';

const Mi = 1024 * 1024;
const machine: MachineInfo = {
  milliCPU: 1500, memoryBytes: 2048 * Mi, machineID: 'm', bootID: 'b', systemUUID: 'u',
  kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'arm64', hostname: 'pi',
};
const healthy: MachinePressure = { memoryAvailableBytes: 1024 * Mi, nodefsAvailableFraction: 0.5, processes: 200, pidMax: 32768 };
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
    const squeezed = byType(nodeConditions({ ...config, runtimeVersion: undefined }, { memoryAvailableBytes: 99 * Mi, nodefsAvailableFraction: 0.09, processes: 31200, pidMax: 32768 }, undefined, t1));
    expect(squeezed.MemoryPressure).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientMemory' });
    expect(squeezed.DiskPressure).toMatchObject({ status: 'True', reason: 'KubeletHasDiskPressure' });
    expect(squeezed.PIDPressure).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientPID' });
    expect(squeezed.Ready).toMatchObject({ status: 'False', reason: 'KubeletNotReady' });
    expect(squeezed.Ready.message).toContain('container runtime is down');
    const edge = byType(nodeConditions(config, { ...healthy, memoryAvailableBytes: 100 * Mi, nodefsAvailableFraction: 0.1 }, undefined, t1));
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
});
