// The agent as a service of the node's init system: a systemd unit (k3s' rules: KillMode=process
// and Delegate=yes so a restart of the agent kills none of its containers, Restart=always), an
// OpenRC script on Alpine, and where no init system manages services (containers, the lab's test
// hosts) a small sh supervisor that restarts the agent as Restart=always would.
import { shellQuote } from '../../util/shell.ts';
import { agentCommand, agentEnvironment, NODE_PATHS, type AgentSettings } from './node-layout.ts';

export type InitSystem = 'systemd' | 'openrc' | 'none';

export interface ServiceFile {
  path: string;
  content: string;
  mode: number;
}

/** What installs, starts, stops and removes the agent's service on one kind of init system. */
export interface AgentService {
  init: InitSystem;
  files: ServiceFile[];
  /** sh commands, run as root. */
  start: string;
  stop: string;
  /** Exit 0 while the agent runs. */
  isActive: string;
  /** Stops and forgets the service; the files are removed by the caller. */
  disable: string;
  /** Said to the user: how the agent is kept running. */
  summary: string;
}

const SERVICE = 'kubelab-agent';
const SUPERVISOR = `${NODE_PATHS.libDir}/supervise.sh`;
// Beside the script rather than in /run: the lab's test hosts share this machine's /run.
const SUPERVISOR_PID = `${NODE_PATHS.libDir}/supervise.pid`;

export function agentService(init: InitSystem, s: AgentSettings): AgentService {
  if (init === 'systemd') return systemdService(s);
  if (init === 'openrc') return openrcService(s);
  return supervisedService(s);
}

function systemdService(s: AgentSettings): AgentService {
  const env = Object.entries(agentEnvironment()).map(([k, v]) => `Environment=${k}=${v}`);
  const unit = [
    '[Unit]',
    'Description=Kubelab node agent',
    'Documentation=https://github.com/kubelab/kubelab',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    ...env,
    `ExecStart=${agentCommand(s).map(systemdWord).join(' ')}`,
    // The agent's containers live in their own cgroups under its parent: on a restart systemd
    // must stop only the agent's own process and leave the cgroup tree to it.
    'KillMode=process',
    'Delegate=yes',
    'Restart=always',
    'RestartSec=5s',
    'LimitNOFILE=1048576',
    'TasksMax=infinity',
    'TimeoutStartSec=0',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  return {
    init: 'systemd',
    files: [{ path: `/etc/systemd/system/${SERVICE}.service`, content: unit, mode: 0o644 }],
    start: `systemctl daemon-reload && systemctl enable ${SERVICE} && systemctl restart ${SERVICE}`,
    stop: `systemctl stop ${SERVICE}`,
    isActive: `systemctl is-active --quiet ${SERVICE}`,
    disable: `systemctl disable --now ${SERVICE} 2>/dev/null; systemctl daemon-reload; true`,
    summary: `systemd unit ${SERVICE}.service (journalctl -u ${SERVICE})`,
  };
}

function openrcService(s: AgentSettings): AgentService {
  const [command, ...args] = agentCommand(s);
  const script = [
    '#!/sbin/openrc-run',
    'description="Kubelab node agent"',
    'supervisor=supervise-daemon',
    `command=${shellQuote(command!)}`,
    `command_args=${shellQuote(args.map(shellQuote).join(' '))}`,
    'respawn_delay=5',
    'respawn_max=0',
    `output_log=${NODE_PATHS.log}`,
    `error_log=${NODE_PATHS.log}`,
    ...Object.entries(agentEnvironment()).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    'depend() { need net; after firewall; }',
    '',
  ].join('\n');
  return {
    init: 'openrc',
    files: [{ path: `/etc/init.d/${SERVICE}`, content: script, mode: 0o755 }],
    start: `rc-update add ${SERVICE} default && rc-service ${SERVICE} restart`,
    stop: `rc-service ${SERVICE} stop`,
    isActive: `rc-service ${SERVICE} status`,
    disable: `rc-service ${SERVICE} stop 2>/dev/null; rc-update del ${SERVICE} default 2>/dev/null; true`,
    summary: `OpenRC service ${SERVICE} (log in ${NODE_PATHS.log})`,
  };
}

/**
 * No init system: a sh loop restarts the agent 5 s after it exits. SIGTERM to the loop stops the
 * agent (which leaves its pods running) and the loop. Not started again at boot: the user is told.
 */
function supervisedService(s: AgentSettings): AgentService {
  const env = Object.entries(agentEnvironment()).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
  const script = [
    '#!/bin/sh',
    '# Keeps the Kubelab agent running where no init system does (written by kubelab node add).',
    `echo $$ > ${SUPERVISOR_PID}`,
    'child=',
    `trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; [ -n "$child" ] && wait "$child"; rm -f ${SUPERVISOR_PID}; exit 0' TERM INT`,
    'while :; do',
    `  env ${env} ${agentCommand(s).map(shellQuote).join(' ')} >>${NODE_PATHS.log} 2>&1 &`,
    '  child=$!',
    '  wait "$child"',
    '  child=',
    '  sleep 5',
    'done',
    '',
  ].join('\n');
  // The pid file may outlive a reboot: the pid must still be this script.
  const running = `[ -f ${SUPERVISOR_PID} ] && grep -q supervise.sh "/proc/$(cat ${SUPERVISOR_PID})/cmdline" 2>/dev/null`;
  const stop = `if ${running}; then p=$(cat ${SUPERVISOR_PID}); kill -TERM "$p"; i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; fi; true`;
  return {
    init: 'none',
    files: [{ path: SUPERVISOR, content: script, mode: 0o755 }],
    // setsid: the loop outlives the SSH session that started it.
    start: `${stop}; setsid sh ${SUPERVISOR} </dev/null >/dev/null 2>&1 & sleep 0.2; ${running}`,
    stop,
    isActive: running,
    disable: stop,
    summary: `a supervisor loop (${SUPERVISOR}; no init system manages services here, so it does not start again after a reboot: run it from the host's startup scripts)`,
  };
}

/** systemd's ExecStart quoting: words with spaces or quotes in double quotes, backslash-escaped. */
function systemdWord(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`;
}
