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

/** How the agent's service is started, stopped and removed (sh commands, run as root). */
export interface ServiceControl {
  init: InitSystem;
  start: string;
  stop: string;
  /** Exit 0 while the agent runs. */
  isActive: string;
  /** Stops and forgets the service; the files are removed by the caller. */
  disable: string;
  /** Said to the user: how the agent is kept running. */
  summary: string;
  /** The service's own files (to remove with it). */
  paths: string[];
}

/** The control and the files that install the agent's service. */
export interface AgentService extends ServiceControl {
  files: ServiceFile[];
}

const SERVICE = 'kubelab-agent';
const SUPERVISOR = `${NODE_PATHS.libDir}/supervise.sh`;
// Beside the script rather than in /run: the lab's test hosts share this machine's /run.
const SUPERVISOR_PID = `${NODE_PATHS.libDir}/supervise.pid`;

export function agentService(init: InitSystem, s: AgentSettings): AgentService {
  if (init === 'systemd') return { ...systemdControl, files: [{ path: systemdControl.paths[0]!, content: systemdUnit(s), mode: 0o644 }] };
  if (init === 'openrc') return { ...openrcControl, files: [{ path: openrcControl.paths[0]!, content: openrcScript(s), mode: 0o755 }] };
  return { ...supervisorControl, files: [{ path: SUPERVISOR, content: supervisorScript(s), mode: 0o755 }] };
}

/** Starting, stopping and removing need no settings: what upgrade and remove use. */
export function serviceControl(init: InitSystem): ServiceControl {
  return init === 'systemd' ? systemdControl : init === 'openrc' ? openrcControl : supervisorControl;
}

function systemdUnit(s: AgentSettings): string {
  const env = Object.entries(agentEnvironment()).map(([k, v]) => `Environment=${k}=${v}`);
  return [
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
}

const systemdControl: ServiceControl = {
  init: 'systemd',
  start: `systemctl daemon-reload && systemctl enable ${SERVICE} && systemctl restart ${SERVICE}`,
  stop: `systemctl stop ${SERVICE}`,
  isActive: `systemctl is-active --quiet ${SERVICE}`,
  disable: `systemctl disable --now ${SERVICE} 2>/dev/null; systemctl daemon-reload; true`,
  summary: `systemd unit ${SERVICE}.service (journalctl -u ${SERVICE})`,
  paths: [`/etc/systemd/system/${SERVICE}.service`],
};

function openrcScript(s: AgentSettings): string {
  const [command, ...args] = agentCommand(s);
  return [
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
}

const openrcControl: ServiceControl = {
  init: 'openrc',
  start: `rc-update add ${SERVICE} default && rc-service ${SERVICE} restart`,
  stop: `rc-service ${SERVICE} stop`,
  isActive: `rc-service ${SERVICE} status`,
  disable: `rc-service ${SERVICE} stop 2>/dev/null; rc-update del ${SERVICE} default 2>/dev/null; true`,
  summary: `OpenRC service ${SERVICE} (log in ${NODE_PATHS.log})`,
  paths: [`/etc/init.d/${SERVICE}`],
};

/**
 * No init system: a sh loop restarts the agent 5 s after it exits. SIGTERM to the loop stops the
 * agent (which leaves its pods running) and the loop. Not started again at boot: the user is told.
 */
function supervisorScript(s: AgentSettings): string {
  const env = Object.entries(agentEnvironment()).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
  return [
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
}

// The pid file may outlive a reboot: the pid must still be this script.
const supervisorRunning = `[ -f ${SUPERVISOR_PID} ] && grep -q supervise.sh "/proc/$(cat ${SUPERVISOR_PID})/cmdline" 2>/dev/null`;
const supervisorStop = `if ${supervisorRunning}; then p=$(cat ${SUPERVISOR_PID}); kill -TERM "$p"; i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; fi; true`;
const supervisorControl: ServiceControl = {
  init: 'none',
  // setsid: the loop outlives the SSH session that started it.
  start: `${supervisorStop}; setsid sh ${SUPERVISOR} </dev/null >/dev/null 2>&1 & sleep 0.2; ${supervisorRunning}`,
  stop: supervisorStop,
  isActive: supervisorRunning,
  disable: supervisorStop,
  summary: `a supervisor loop (${SUPERVISOR}; no init system manages services here, so it does not start again after a reboot: run it from the host's startup scripts)`,
  paths: [SUPERVISOR, SUPERVISOR_PID],
};

/** systemd's ExecStart quoting: words with spaces or quotes in double quotes, backslash-escaped. */
function systemdWord(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`;
}
