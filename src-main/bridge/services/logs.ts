// Container logs as streams: one container's (followed or read once) and a selector's pods merged
// (WorkloadLogs). Both send their lines in batches and stop their HTTP streams when the renderer
// closes the stream or goes away.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../client/api-error.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import type { LogMethods, PodLogsParams, WorkloadLogBatch } from '../api/logs.ts';
import { Batcher } from '../batcher.ts';
import * as check from '../check.ts';
import type { MethodTable } from '../method.ts';
import { ServiceError } from '../service-error.ts';
import type { StreamHandle, StreamSink } from '../session.ts';
import { WorkloadLogs, type WorkloadLogLine } from '../workload-logs.ts';
import type { ServiceDeps } from './deps.ts';

const MAX_TAIL = 1_000_000;

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Feeds a response's text to onLine line by line; the unterminated rest goes out at the end. */
function eachLine(res: IncomingMessage, onLine: (line: string) => void): void {
  let rest = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const l of lines) onLine(l);
  });
  res.on('end', () => {
    if (rest) onLine(rest);
  });
}

/** Opens one container's log; a refusal (no such container, no previous run) is the call's error. */
async function startPodLogs(client: KubeClient, p: PodLogsParams, handle: StreamHandle): Promise<StreamSink> {
  const { namespace, pod, ...query } = p;
  const http = client.log(namespace, pod, query);
  const res = await http.response;
  if (res.statusCode !== 200) throw ApiError.fromResponse(res.statusCode ?? 0, await readBody(res));
  const batcher = new Batcher<string>((lines) => handle.push({ lines }));
  eachLine(res, (line) => batcher.add(line));
  // The container ended (or the log was read once): what is left goes, then the stream ends.
  res.on('end', () => {
    batcher.flush();
    handle.end();
  });
  res.on('error', (e) => {
    batcher.flush();
    handle.end(`the log of ${pod} was cut: ${e.message}`);
  });
  return {
    close() {
      batcher.stop();
      http.abort();
    },
  };
}

async function startWorkloadLogs(client: KubeClient, namespace: string, labelSelector: string, tailLines: number | undefined, handle: StreamHandle): Promise<StreamSink> {
  const batcher = new Batcher<WorkloadLogLine>((lines) => handle.push({ lines } satisfies WorkloadLogBatch));
  const logs = new WorkloadLogs(client, {
    namespace, labelSelector, tailLines,
    onLine: (line) => batcher.add(line),
    onError: (message) => handle.push({ lines: [], errors: [message] } satisfies WorkloadLogBatch),
  });
  try {
    await logs.start();
  } catch (e) {
    logs.stop();
    throw e;
  }
  return {
    close() {
      batcher.stop();
      logs.stop();
    },
  };
}

export function logServices({ client }: ServiceDeps): MethodTable<keyof LogMethods> {
  return {
    podLogs: {
      check(value) {
        const m = 'podLogs';
        const p = check.params(value, m);
        const container = check.optionalName(p, 'container', m);
        const previous = check.optionalBoolean(p, 'previous', m);
        const tailLines = check.optionalInteger(p, 'tailLines', m, 0, MAX_TAIL);
        const timestamps = check.optionalBoolean(p, 'timestamps', m);
        return {
          namespace: check.name(p, 'namespace', m), pod: check.name(p, 'pod', m), follow: check.boolean(p, 'follow', m),
          ...(container ? { container } : {}), ...(previous ? { previous } : {}),
          ...(tailLines !== undefined ? { tailLines } : {}), ...(timestamps ? { timestamps } : {}),
        };
      },
      run(p, { session }) {
        return session.openStream((handle) => startPodLogs(client, p, handle));
      },
    },
    workloadLogs: {
      check(value) {
        const m = 'workloadLogs';
        const p = check.params(value, m);
        const labelSelector = check.string(p, 'labelSelector', m, 4096).trim();
        // An empty selector would follow every pod of the namespace: refuse it rather than guess.
        if (!labelSelector) throw new ServiceError(`${m}: labelSelector must not be empty`, 400);
        const tailLines = check.optionalInteger(p, 'tailLines', m, 0, MAX_TAIL);
        return { namespace: check.name(p, 'namespace', m), labelSelector, ...(tailLines !== undefined ? { tailLines } : {}) };
      },
      run({ namespace, labelSelector, tailLines }, { session }) {
        return session.openStream((handle) => startWorkloadLogs(client, namespace, labelSelector, tailLines, handle));
      },
    },
  };
}
