// Words for sh: what the agent hands to script(1) and what provisioning runs over SSH.

/** One word for sh: single-quoted, so nothing in it is expanded. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
