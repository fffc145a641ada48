#!/usr/bin/env node
// `kpi-bot jobs list | run <job>`, `kpi-bot db migrate | backup | restore`: runs the TypeScript
// sources through tsx (a dev dependency), so the command works from a clean clone after `npm ci`,
// with no build step. A build (the Docker image) runs the compiled entry instead: `node dist/cli/main.js`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
