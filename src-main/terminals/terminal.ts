// What the three kinds of terminal (local pty, a node over SSH, a pod's exec) have in common, so
// that the bridge's stream treats them alike.
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** How a session ended: the shell's exit status, or the connection to it was lost. */
export type TerminalEnd = { exit: number } | { lost: string };

export interface TerminalEvents {
  /** Text for the screen, already decoded (a UTF-8 sequence split between reads is kept whole). */
  output(text: string): void;
  /** Called once; after it the terminal holds nothing. */
  ended(end: TerminalEnd): void;
}

/** Questions only the user can answer, asked through the terminal's stream. */
export interface TerminalPrompts {
  /** A password (not echoed, never stored); undefined: the user cancelled. */
  secret(message: string): Promise<string | undefined>;
  confirm(message: string): Promise<boolean>;
}

export interface Terminal {
  write(data: string | Buffer): void;
  resize(size: TerminalSize): void;
  /** Flow control: stop reading the shell's output until resume() (the screen is behind). */
  pause(): void;
  resume(): void;
  /** Ends the session and releases its process, pty or connection; `ended` is not called. */
  close(): void;
}
