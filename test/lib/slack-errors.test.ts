import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackErrorCode } from '../../src/lib/slack-errors.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

/** slackErrorCode reads the code of a real Web API platform error, and nothing else's. */
describe('slackErrorCode', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.addToken('xoxb-T1', { teamId: 'T1', botUserId: 'UBOT', botId: 'BBOT' });
  });
  afterAll(async () => fake.close());

  it("gives the Web API's error code when Slack refuses a call", async () => {
    const client = new webApi.WebClient('xoxb-T1', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    const error = await client.users.info({ user: 'UNOBODY' }).catch((e: unknown) => e);
    expect(slackErrorCode(error)).toBe('user_not_found');
  });

  it('gives null for any other error', () => {
    expect(slackErrorCode(new Error('boom'))).toBeNull();
    expect(slackErrorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeNull();
    expect(slackErrorCode('user_not_found')).toBeNull();
  });
});
