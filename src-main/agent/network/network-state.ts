// What the node network changed outside the state folder, recorded in it: the iptables backend its
// rules went to and the network namespace. `agent reset` removes the rules and routes only when
// this record says the agent made them, so a reset never touches another tool's KUBE-* chains.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/files.ts';
import type { IptablesBackend } from '../proxy/iptables.ts';

export interface NetworkState {
  iptables: IptablesBackend;
  netns?: string;
}

const file = (stateDir: string) => join(stateDir, 'network', 'state.json');

export function recordNetworkState(stateDir: string, state: NetworkState): void {
  mkdirSync(join(stateDir, 'network'), { recursive: true });
  writeFileAtomic(file(stateDir), `${JSON.stringify(state)}\n`, 0o600);
}

export function readNetworkState(stateDir: string): NetworkState | undefined {
  return existsSync(file(stateDir)) ? (JSON.parse(readFileSync(file(stateDir), 'utf8')) as NetworkState) : undefined;
}
