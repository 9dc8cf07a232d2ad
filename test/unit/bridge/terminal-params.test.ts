// openTerminal's parameters come from a renderer and are checked before anything starts.
import { describe, expect, it } from 'vitest';
import { terminalServices } from '../../../src-main/bridge/services/terminals.ts';
import type { KubeClient } from '../../../src-main/client/kube-client.ts';

const check = terminalServices({ client: undefined as unknown as KubeClient }).openTerminal.check;

describe('openTerminal parameters', () => {
  it('takes the three targets, with an optional container and command for a pod', () => {
    expect(check({ target: { type: 'local' }, cols: 80, rows: 24 })).toEqual({ target: { type: 'local' }, cols: 80, rows: 24 });
    expect(check({ target: { type: 'node', node: 'pi-1' }, cols: 80, rows: 24 }).target).toEqual({ type: 'node', node: 'pi-1' });
    expect(check({ target: { type: 'pod', namespace: 'default', pod: 'web', container: 'app', command: ['bash'] }, cols: 80, rows: 24 }).target)
      .toEqual({ type: 'pod', namespace: 'default', pod: 'web', container: 'app', command: ['bash'] });
  });

  it.each([
    [{ target: { type: 'shell' }, cols: 80, rows: 24 }, 'openTerminal: target: type must be one of node, pod, local'],
    [{ target: { type: 'node', node: '../etc' }, cols: 80, rows: 24 }, 'openTerminal: target: node must be a valid Kubernetes name'],
    [{ target: { type: 'pod', namespace: 'default' }, cols: 80, rows: 24 }, 'openTerminal: target: pod must be a valid Kubernetes name'],
    [{ target: { type: 'pod', namespace: 'default', pod: 'web', command: 'bash' }, cols: 80, rows: 24 }, 'openTerminal: target.command must be a list of 1 to 64 strings'],
    [{ target: { type: 'pod', namespace: 'default', pod: 'web', command: [] }, cols: 80, rows: 24 }, 'openTerminal: target.command must be a list of 1 to 64 strings'],
    [{ target: { type: 'local' }, cols: 0, rows: 24 }, 'openTerminal: cols must be an integer from 2 to 1000'],
    [{ target: { type: 'local' }, cols: 80, rows: 1.5 }, 'openTerminal: rows must be an integer from 1 to 500'],
    [{ cols: 80, rows: 24 }, 'openTerminal: target: parameters must be an object'],
  ])('refuses %j', (params, message) => {
    expect(() => check(params)).toThrow(message);
  });
});
