#!/usr/bin/env node
// The `kubelab` command: runs the CLI's bundle, building it first when a source changed.
import { pathToFileURL } from 'node:url';
import { ensureCliBundle } from './cli-bundle.js';

await import(pathToFileURL(await ensureCliBundle()).href);
