import { describe, expect, it } from 'vitest';
import { agentOptions } from '../../../src-main/agent/run-agent.ts';

describe('--eviction-hard', () => {
  it('takes the kubelet\'s syntax and refuses an unknown signal', () => {
    expect(agentOptions({ kubeconfig: 'k', nodeName: 'n', evictionHard: 'memory.available<1Gi,nodefs.available<5%' }).evictionHard).toEqual([
      { signal: 'memory.available', quantity: 1024 ** 3 },
      { signal: 'nodefs.available', percentage: 0.05 },
    ]);
    expect(agentOptions({ kubeconfig: 'k', nodeName: 'n' }).evictionHard).toBeUndefined();
    expect(() => agentOptions({ kubeconfig: 'k', nodeName: 'n', evictionHard: 'memory.free<1Gi' })).toThrow('eviction threshold "memory.free<1Gi": unsupported eviction signal');
  });
});
