#!/usr/bin/env node
// `kpi-bot jobs list | run <job>`, `kpi-bot db migrate`: runs the TypeScript sources through tsx (a runtime dependency),
// so the command works from a clean clone after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
