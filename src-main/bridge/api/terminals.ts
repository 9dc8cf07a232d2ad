// Terminals: a node's shell over SSH, a shell in a pod's container (exec), or a local shell with
// KUBECONFIG set to this cluster. `openTerminal` returns a stream (see StreamEvent): the renderer
// sends TerminalInput with streamSend, the main side pushes TerminalOutput, and the stream ends
// after `exit` (the shell ended) or with an error (the connection was lost, or never made).
import type { StreamOpened } from '../protocol.ts';

export type TerminalTarget =
  | { type: 'node'; node: string }
  | { type: 'pod'; namespace: string; pod: string; container?: string; command?: string[] }
  | { type: 'local' };

export type TerminalInput =
  /** Typed or pasted text; `binary` marks a string of byte values (xterm's onBinary). */
  | { type: 'input'; data: string; binary?: boolean }
  | { type: 'resize'; cols: number; rows: number }
  /** How many characters of output the screen has taken (flow control, see TERMINAL_ACK_CHARS). */
  | { type: 'ack'; chars: number }
  /** The answer to a prompt; null: the user cancelled. */
  | { type: 'answer'; id: number; value: string | null };

export type TerminalOutput =
  | { type: 'output'; data: string }
  /** A question only the user can answer: a password (secret) or yes/no (confirm). */
  | { type: 'prompt'; id: number; kind: 'secret' | 'confirm'; message: string }
  /** The shell ended with this status (128 + n for a signal); the stream ends right after. */
  | { type: 'exit'; code: number };

/** The renderer acknowledges output in steps of this many characters... */
export const TERMINAL_ACK_CHARS = 16_384;
/** ...and the main side stops reading from the shell while more than this is unacknowledged. */
export const TERMINAL_MAX_UNACKED_CHARS = 256 * 1024;

export interface TerminalMethods {
  openTerminal: { params: { target: TerminalTarget; cols: number; rows: number }; result: StreamOpened };
}
