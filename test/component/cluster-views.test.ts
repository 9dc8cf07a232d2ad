// @vitest-environment happy-dom
// Pieces of the Overview and Nodes views: pods counted by phase, the usage chart's line, a
// resource bar's numbers, and the node columns computed as kubectl prints them.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import TimeChart from '../../src-renderer/components/ui/TimeChart.svelte';
import UsageBar from '../../src-renderer/components/ui/UsageBar.svelte';
import { formatBytes, formatCpu, nodeRoles, nodeStatus, podRequests, requestsByNode } from '../../src-renderer/lib/node-info.ts';
import PodPhases from '../../src-renderer/views/overview/PodPhases.svelte';

const pod = (phase: string, node = 'n1', cpu = '100m'): Pod => ({
  metadata: { name: `${phase}-${Math.random()}`, namespace: 'default' },
  spec: { nodeName: node, containers: [{ name: 'c', resources: { requests: { cpu, memory: '64Mi' } } }] },
  status: { phase },
});

describe('cluster view pieces', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    app = undefined;
    document.body.innerHTML = '';
  });

  it('counts pods by phase', () => {
    app = mount(PodPhases, { target: document.body, props: { pods: [pod('Running'), pod('Running'), pod('Pending'), pod('Failed')] } });
    flushSync();
    const count = (phase: string) => document.querySelector(`li[data-phase=${phase}] strong`)?.textContent;
    expect([count('Running'), count('Pending'), count('Succeeded'), count('Failed')]).toEqual(['2', '1', '0', '1']);
  });

  it('draws one point per sample, scaled to the maximum, with the latest value', () => {
    const now = Date.now();
    app = mount(TimeChart, {
      target: document.body,
      props: { label: 'CPU used', max: 1000, format: formatCpu, points: [{ time: now - 30 * 60_000, value: 0 }, { time: now, value: 500 }] },
    });
    flushSync();
    expect(document.querySelector('polyline')?.getAttribute('points')).toBe('150.0,80.0 300.0,40.0');
    expect(document.querySelector('.value')?.textContent).toContain('500m');
  });

  it('shows requests and usage against allocatable', () => {
    app = mount(UsageBar, { target: document.body, props: { label: 'CPU', used: 500, usage: 250, total: 2000, format: formatCpu } });
    flushSync();
    expect(document.querySelector('.text')?.textContent).toBe('req 25% · use 13%');
    expect(document.querySelector('.usage')?.getAttribute('title')).toBe('CPU: requests 500m, usage 250m of 2 cores allocatable');
  });

  it('computes node STATUS, ROLES and the requests of its running pods as kubectl does', () => {
    const node: Node = {
      metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': 'true' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    expect(nodeStatus(node)).toBe('Ready,SchedulingDisabled');
    expect(nodeStatus({ status: { conditions: [{ type: 'Ready', status: 'False' }] } })).toBe('NotReady');
    expect(nodeRoles(node)).toEqual(['control-plane', 'worker']);
    const withInit: Pod = { spec: { containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }], initContainers: [{ name: 'i', resources: { requests: { cpu: '1' } } }] } };
    expect(podRequests(withInit).cpu).toBe(1000);
    expect(requestsByNode([pod('Running'), pod('Succeeded'), pod('Pending', 'n2', '1')])).toEqual(new Map([
      ['n1', { cpu: 100, memory: 64 * 2 ** 20 }],
      ['n2', { cpu: 1000, memory: 64 * 2 ** 20 }],
    ]));
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5Gi');
  });
});
