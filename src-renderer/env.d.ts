/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { PreloadApi } from './lib/transport/transport.ts';

declare global {
  interface Window {
    /** Present only inside the Electron app (see src-main/electron/preload.ts). */
    kubelab?: PreloadApi;
  }
}
