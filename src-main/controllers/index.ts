// Every controller the controller manager runs. Add a controller: write its file, list it here.
import type { ControllerFactory } from './manager.ts';
import { NamespaceController } from './namespace.ts';

export const controllerFactories: readonly ControllerFactory[] = [
  (ctx) => new NamespaceController(ctx),
];
