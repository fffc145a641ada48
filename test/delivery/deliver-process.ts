/**
 * A deliverer in a process of its own, for the crash test: it drains the outbox of the database at
 * DATABASE_URL into the fake Slack at SLACK_API_URL with the bot token TOKEN for WORKSPACE_ID.
 * The test kills it with SIGKILL halfway.
 */
import { openDatabase } from '../../src/db/client.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { newDeliverer } from './delivery-support.js';

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const handle = await openDatabase({ driver: 'postgres', url: env('DATABASE_URL') }, { migrate: false });
const fake = { apiUrl: env('SLACK_API_URL') } as FakeSlack;
const deliverer = newDeliverer(handle.db, fake, { [env('WORKSPACE_ID')]: env('TOKEN') }, { workerId: 'child' });
await deliverer.drain();
await handle.close();
