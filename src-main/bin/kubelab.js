#!/usr/bin/env node
// The `kubelab` command. The sources are TypeScript; tsx compiles them on the fly, so a checkout
// works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
