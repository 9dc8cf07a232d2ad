// A command run in a running container for exec probes and hooks (the CRI's ExecSync): stdout
// and stderr together, kept to 10 KiB as upstream keeps them, and the exit code. On timeout the
// process inside the container is killed too, not only `runc exec` (which would leave it running),
// through the pid runc writes for it.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OciRuntime } from '../../runtime/oci-runtime.ts';

const MAX_OUTPUT = 10 * 1024;

export class ExecTimeoutError extends Error {}

export interface ExecResult {
  exitCode: number;
  /** stdout and stderr as they came. */
  output: string;
  stderr: string;
}

/** Runs command in the container; timeoutMs undefined waits as long as it takes (hooks). */
export async function execInContainer(runtime: OciRuntime, id: string, command: string[], timeoutMs?: number, signal?: AbortSignal): Promise<ExecResult> {
  const pidFile = join(tmpdir(), `kubelab-exec-${randomUUID()}.pid`);
  const child = runtime.spawnExec(id, command, { extraArgs: ['--pid-file', pidFile] });
  child.stdin?.end();
  const output = limited();
  const stderr = limited();
  child.stdout?.on('data', output.add);
  child.stderr?.on('data', (d: Buffer) => {
    output.add(d);
    stderr.add(d);
  });
  let timedOut = false;
  const kill = async () => {
    const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
    if (pid > 0) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    child.kill('SIGKILL');
  };
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    void kill();
  }, timeoutMs);
  const onAbort = () => void kill();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) => resolve(code ?? (sig ? 128 + 9 : -1)));
    });
    // Upstream's text for a timed out ExecSync (remote_runtime.go).
    if (timedOut) throw new ExecTimeoutError(`command ${JSON.stringify(command.join(' '))} timed out`);
    return { exitCode, output: output.text(), stderr: stderr.text() };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await rm(pidFile, { force: true });
  }
}

function limited(): { add: (d: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    add: (d) => {
      if (size >= MAX_OUTPUT) return;
      chunks.push(d.subarray(0, MAX_OUTPUT - size));
      size += Math.min(d.length, MAX_OUTPUT - size);
    },
    text: () => Buffer.concat(chunks).toString(),
  };
}
