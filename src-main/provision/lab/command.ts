// The lab runs the machine's own tools (ip, iptables, ssh-keygen, nsenter): one helper so that a
// failure names the command and carries its stderr, as one line. No credential ever passes
// through a command line here: keys are files, referred to by path.
import { execFile } from 'node:child_process';

export class LabCommandError extends Error {
  constructor(readonly command: string, readonly stderr: string) {
    super(`${command}: ${stderr.trim().split('\n').pop() || 'failed'}`);
  }
}

/** Runs a command to its end; resolves with its stdout, rejects with a LabCommandError. */
export function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new LabCommandError([file, ...args].join(' '), stderr || err.message));
      else resolve(stdout);
    });
  });
}

/** Runs a command whose failure only means "already gone" (removal is idempotent). */
export async function runQuietly(file: string, args: string[]): Promise<boolean> {
  try {
    await run(file, args);
    return true;
  } catch {
    return false;
  }
}
