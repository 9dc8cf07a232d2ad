// The add-node wizard's state: the join stream's messages turned into the steps, the preflight
// checks, the one open question and the outcome. The form's secrets go out in the opening call
// and are not kept here.
import type { HostKeyShown, JoinCheck, JoinMessage, JoinNodeParams, JoinStep } from '../../../src-main/bridge/api/node-join.ts';
import type { ClusterState } from '../../lib/cluster.svelte.ts';
import type { OpenStream } from '../../lib/streams.ts';

/** The phases of a join in order, as the progress list shows them. */
export const PHASES = ['connect', 'facts', 'validate', 'packages', 'stage', 'install', 'ready', 'cleanup'] as const;

export interface PhaseState extends JoinStep {
  /** When it started here (for the running step's elapsed time). */
  startedAt: number;
}

export type Question =
  | { type: 'host-key'; host: string; port: number; key: HostKeyShown }
  | { type: 'packages'; manager: string; packages: string[] };

export class JoinWizard {
  stage = $state<'form' | 'running' | 'joined' | 'failed' | 'cancelled'>('form');
  phases = $state<Record<string, PhaseState>>({});
  checks = $state<JoinCheck[]>([]);
  question = $state<Question | undefined>();
  changedKey = $state<{ host: string; pinned: HostKeyShown; offered: HostKeyShown } | undefined>();
  error = $state<string | undefined>();
  nodeName = $state<string | undefined>();
  outcome = $state<string | undefined>();
  #stream: OpenStream | undefined;

  constructor(private readonly cluster: ClusterState) {}

  async start(params: JoinNodeParams): Promise<void> {
    this.reset();
    this.stage = 'running';
    try {
      this.#stream = await this.cluster.streams.open<JoinMessage>('joinNode', params, {
        message: (m) => this.handle(m),
        end: (error) => this.finish(error),
      });
    } catch (e) {
      this.finish((e as Error).message);
    }
  }

  handle(m: JoinMessage): void {
    switch (m.type) {
      case 'step': {
        // "packages: runc iptables" is the packages phase; a phase run again (validate after
        // installing) shows its latest run.
        const phase = m.step.step.split(':')[0]!;
        const before = this.phases[phase];
        const startedAt = m.step.status === 'started' || !before ? Date.now() : before.startedAt;
        // A failed preflight names every check; the checks list below says it better.
        const detail = phase === 'validate' && m.step.detail?.includes(': preflight failed: ') ? 'preflight failed: see the checks below' : m.step.detail;
        this.phases = { ...this.phases, [phase]: { ...m.step, ...(detail ? { detail } : {}), startedAt } };
        break;
      }
      case 'host-key':
      case 'packages':
        this.question = m;
        break;
      case 'host-key-changed':
        this.changedKey = { host: m.host, pinned: m.pinned, offered: m.offered };
        break;
      case 'checks':
        this.checks = m.checks;
        break;
      case 'joined':
        this.nodeName = m.nodeName;
        this.outcome = m.outcome;
        break;
    }
  }

  /** The answer to the open question. */
  answer(yes: boolean): void {
    const q = this.question;
    if (!q) return;
    this.question = undefined;
    this.#stream?.send(q.type === 'host-key' ? { type: 'host-key', trust: yes } : { type: 'packages', install: yes });
  }

  /** Closes the stream: the join stops at its next step and takes back what it wrote. */
  cancel(): void {
    this.#stream?.close();
    this.#stream = undefined;
    this.question = undefined;
    if (this.stage === 'running') this.stage = 'cancelled';
  }

  reset(): void {
    this.stage = 'form';
    this.phases = {};
    this.checks = [];
    this.question = undefined;
    this.changedKey = undefined;
    this.error = undefined;
    this.nodeName = undefined;
    this.outcome = undefined;
  }

  private finish(error?: string): void {
    this.#stream = undefined;
    this.question = undefined;
    if (this.stage !== 'running') return;
    if (error || !this.nodeName) {
      this.error = error ?? 'the join ended without joining a node';
      this.stage = 'failed';
    } else this.stage = 'joined';
  }
}

/** Splits "what failed; what was left on the host" (join-node.ts' message) into its two parts. */
export function splitLeft(error: string): { failure: string; left?: string } {
  const m = /^(.*?); ((?:left on |nothing was changed|\S+ was left as it was).*)$/.exec(error);
  return m ? { failure: m[1]!, left: m[2]! } : { failure: error };
}
