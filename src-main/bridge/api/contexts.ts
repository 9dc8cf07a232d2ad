// Which cluster the app shows: the built-in one or a kubeconfig context.
export interface ContextEntry {
  /** 'kubelab' for the built-in cluster, else the kubeconfig context's name. */
  name: string;
  server: string;
  user?: string;
  builtin: boolean;
}

export interface ContextMethods {
  listContexts: { params: Record<string, never>; result: { current: string; contexts: ContextEntry[] } };
  /** Switches every window to that cluster; rejects (and keeps the current one) if it cannot connect. */
  useContext: { params: { name: string }; result: null };
}
