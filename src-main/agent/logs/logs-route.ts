// GET /containerLogs/{namespace}/{pod}/{container}: the kubelet's getContainerLogs. The query is
// the v1 PodLogOptions (follow, previous, tailLines — or the old `tail` —, sinceSeconds,
// sinceTime, timestamps, limitBytes). Which run's log is read follows the kubelet's
// validateContainerLogStatus, errors included (400 with its words, 404 for no such pod/container).
import type { ServerResponse } from 'node:http';
import { drainOrClose } from '../../util/drain.ts';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Kubelet } from '../kubelet/kubelet.ts';
import type { ContainerRecord } from '../kubelet/pod-status.ts';
import { AgentHttpError, type AgentServer } from '../server/agent-server.ts';
import { nowNs, parseTime } from './cri-format.ts';
import { podRef } from './container-logs.ts';
import { readLog, type LogReadOptions } from './log-reader.ts';

/** Go's strconv.ParseBool, as the parameter codec reads booleans. */
function parseBool(v: string | null): boolean | undefined {
  if (v === null || v === '') return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new AgentHttpError(400, '{"message": "Unable to decode query."}');
}

function parseInt(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new AgentHttpError(400, '{"message": "Unable to decode query."}');
  return Number(v);
}

/** The v1 PodLogOptions of the query, validated as the kubelet does. */
export function logOptions(query: URLSearchParams): LogReadOptions & { previous: boolean } {
  const tail = query.get('tail');
  const tailLines = parseInt(tail !== null && tail !== '' ? (tail === 'all' ? null : tail) : query.get('tailLines'));
  const sinceSeconds = parseInt(query.get('sinceSeconds'));
  const limitBytes = parseInt(query.get('limitBytes'));
  const sinceTimeText = query.get('sinceTime');
  const sinceTime = sinceTimeText ? parseTime(sinceTimeText) : undefined;
  if (sinceTimeText && sinceTime === undefined) throw new AgentHttpError(400, '{"message": "Unable to decode query."}');
  const invalid = (tailLines ?? 0) < 0 || (limitBytes ?? 1) < 1 || (sinceSeconds ?? 1) < 1 || (sinceSeconds !== undefined && sinceTime !== undefined);
  if (invalid) throw new AgentHttpError(422, '{"message": "Invalid request."}');
  const sinceNs = sinceSeconds !== undefined ? nowNs() - BigInt(sinceSeconds) * 1_000_000_000n : sinceTime;
  return { follow: parseBool(query.get('follow')) ?? false, previous: parseBool(query.get('previous')) ?? false, timestamps: parseBool(query.get('timestamps')) ?? false, tailLines, limitBytes, sinceNs };
}

const runOf = (containerID: string): string => containerID.replace(/^[a-z]+:\/\//, '');

/** The run whose log to read (its runtime id), or the kubelet's reason there is none. */
export function logTarget(pod: Pod, record: ContainerRecord, previous: boolean, initDone: boolean): string {
  const c = JSON.stringify(record.name);
  const p = JSON.stringify(pod.metadata?.name ?? '');
  const latest = record.terminated?.containerID;
  if (previous) {
    // Restarting (waiting after a run), the last state is the run that just ended.
    const last = record.waiting && latest ? latest : record.lastTerminated?.containerID;
    if (!last) throw new AgentHttpError(400, `previous terminated container ${c} in pod ${p} not found`);
    return runOf(last);
  }
  if (record.id && !record.terminated && !record.waiting) return record.id;
  if (latest) return runOf(latest);
  if (record.lastTerminated?.containerID) return runOf(record.lastTerminated.containerID);
  const reason = record.waiting?.reason ?? (initDone ? 'ContainerCreating' : 'PodInitializing');
  if (reason === 'ErrImagePull') throw new AgentHttpError(400, `container ${c} in pod ${p} is waiting to start: image can't be pulled`);
  if (reason === 'ImagePullBackOff') throw new AgentHttpError(400, `container ${c} in pod ${p} is waiting to start: trying and failing to pull image`);
  throw new AgentHttpError(400, `container ${c} in pod ${p} is waiting to start: ${reason}`);
}

function sinkOf(res: ServerResponse): (chunk: Buffer) => Promise<void> | void {
  return (chunk) => {
    // A client gone meanwhile ends the wait too (the reader then sees its abort signal).
    if (!res.write(chunk)) return drainOrClose(res);
  };
}

export function addLogsRoute(server: AgentServer, kubelet: Kubelet): void {
  server.addRoute('GET', '/containerLogs/:namespace/:pod/:container', async (_req, res, params, query) => {
    const opts = logOptions(query);
    const found = kubelet.podContainers(params.namespace, params.pod);
    if (!found) throw new AgentHttpError(404, `pod ${JSON.stringify(params.pod)} does not exist`);
    const { pod, containers, initContainers } = found;
    const record = containers.get(params.container) ?? initContainers.get(params.container);
    if (!record) throw new AgentHttpError(404, `container ${JSON.stringify(params.container)} not found in pod ${JSON.stringify(params.pod)}`);
    const initDone = [...initContainers.values()].every((c) => c.terminated?.exitCode === 0);
    const id = logTarget(pod, record, opts.previous, initDone);
    const restartCount = Number(id.slice(id.lastIndexOf('-') + 1));
    const path = kubelet.logs.logPath(podRef(pod), record.name, restartCount);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.flushHeaders();
    try {
      await readLog(path, { ...opts, running: () => kubelet.logs.get(id)?.running ?? false, signal: abort.signal }, sinkOf(res));
    } catch (e) {
      // No file (a run from before logs were kept, or removed): nothing to show.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    res.end();
  });
}
