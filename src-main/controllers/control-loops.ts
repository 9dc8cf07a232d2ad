// Every control loop of the cluster: the controller manager's controllers and the scheduler.
// They run on one ControllerContext, in the API server's process (tests, which drive them with
// a fake clock) or in a process of their own (`kubelab controller-manager`, what `kubelab serve`
// starts), where they use the second core instead of competing with the API server.
import { Scheduler } from '../scheduler/scheduler.ts';
import { controllerFactories } from './index.ts';
import type { ControllerFactory } from './manager.ts';

export const controlLoops: readonly ControllerFactory[] = [...controllerFactories, (ctx) => new Scheduler(ctx)];
