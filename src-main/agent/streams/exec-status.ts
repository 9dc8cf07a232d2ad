// How an exec or attach ends, as the error stream tells the client: from v4 on a metav1.Status
// (Success, or Failure with reason NonZeroExitCode and the code in a cause, which kubectl turns
// into its own exit code); before v4 only a failure's message as plain text.
export type ExecResult = { exitCode: number } | { error: string };

interface Status {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

export function execStatus(result: ExecResult, command: string[]): Status {
  if ('error' in result) {
    return { metadata: {}, status: 'Failure', message: result.error, reason: 'InternalError', details: { causes: [{ message: result.error }] }, code: 500 };
  }
  if (result.exitCode === 0) return { metadata: {}, status: 'Success' };
  const message = `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${result.exitCode}`;
  return { metadata: {}, status: 'Failure', message, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] } };
}

/** What the error stream carries under `protocol` (v5/v4: JSON; older: text, nothing on success). */
export function errorStreamBody(protocol: string, result: ExecResult, command: string[]): Buffer | undefined {
  const status = execStatus(result, command);
  if (/^v[45]\./.test(protocol)) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? undefined : Buffer.from(status.message!);
}
