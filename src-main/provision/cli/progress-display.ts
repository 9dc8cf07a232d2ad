// The CLI's view of provisioning steps: on a terminal, each host's running step on one line that
// is rewritten with its elapsed time, finished steps printed above it; otherwise plain lines.
import type { ProgressListener, StepEvent } from '../progress.ts';

const MARK: Record<StepEvent['status'], string> = { started: '…', done: '✓', warned: '!', failed: '✗', skipped: '-' };

export function progressDisplay(out: NodeJS.WriteStream = process.stderr): { listener: ProgressListener; stop: () => void } {
  const tty = out.isTTY === true;
  const running = new Map<string, { step: string; since: number }>();
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const redraw = () => {
    if (!tty || running.size === 0) return;
    const line = [...running].map(([host, r]) => `${host}: ${r.step} ${seconds(Date.now() - r.since)}`).join('  |  ');
    out.write(`\r\x1b[2K${line.slice(0, (out.columns ?? 100) - 1)}`);
  };
  const timer = tty ? setInterval(redraw, 200) : undefined;
  timer?.unref();
  const listener: ProgressListener = (e) => {
    if (e.status === 'started') {
      running.set(e.host, { step: e.step, since: Date.now() });
      if (!tty) out.write(`${e.host}: ${e.step} …\n`);
      redraw();
      return;
    }
    running.delete(e.host);
    const took = e.durationMs !== undefined ? ` (${seconds(e.durationMs)})` : '';
    out.write(`${tty ? '\r\x1b[2K' : ''}${MARK[e.status]} ${e.host}: ${e.step}${took}${e.detail ? `: ${e.detail}` : ''}\n`);
    redraw();
  };
  return { listener, stop: () => { if (timer) clearInterval(timer); if (tty) out.write('\r\x1b[2K'); } };
}
