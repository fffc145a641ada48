import { createRequire } from 'node:module';

/**
 * Bolt's classes the app runs, from Bolt's own modules rather than its index. The index loads every
 * receiver Bolt has: Express's, AWS Lambda's and Socket Mode's with undici, 240 modules that cost an
 * HTTP app 6 MB of heap, 15 MB of resident memory and part of its start-up. With
 * patches/@slack+bolt+5.1.0.patch, App loads Socket Mode's receiver only when it makes one.
 * The Web API SDK comes from its own package (`import * as webApi from '@slack/web-api'`, the module
 * Bolt's index re-exports as `webApi`). Types still come from '@slack/bolt': gone once compiled.
 */

// Required, not imported: an ESM default import of these CommonJS modules is their whole exports
// object under Node but their `default` under Vitest.
const require = createRequire(import.meta.url);
const app = require('@slack/bolt/dist/App.js') as typeof import('@slack/bolt/dist/App.js');
const httpReceiver =
  require('@slack/bolt/dist/receivers/HTTPReceiver.js') as typeof import('@slack/bolt/dist/receivers/HTTPReceiver.js');

export const App = app.default;
export type App = InstanceType<typeof App>;
export const HTTPReceiver = httpReceiver.default;
export type HTTPReceiver = InstanceType<typeof HTTPReceiver>;
