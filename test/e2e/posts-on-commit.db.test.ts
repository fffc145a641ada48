import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { signStandardWebhook } from '../../src/integrations/generic/signature.js';
import { describeDb } from '../support/db.js';
import type { RecordedCall } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CHANNEL = 'C0FAKE0001'; // where the harness types its commands
const WINS = 'CWINS0001';
/** Far below the minute job, far above a post's way through a loaded machine. */
const SOON_MS = 10_000;

/**
 * Posts written by a command or a CRM webhook go out once their transaction commits, not at the
 * next run of the minute `deliver` job. No job runs here: the harness schedules none.
 */
describeDb('posts go out as soon as they are written', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ crm: parseCrmConfig({ WEBHOOK_SECRET: SECRET }, []) });
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben' });
    h.addUser('UBOSS', { name: 'Boss', isAdmin: true });
    h.fake.addUser({ id: 'UOWNER', teamId: h.teamId, name: 'owner', email: 'owner@acme.test', tz: 'UTC' });
    for (const id of [CHANNEL, WINS]) h.fake.addChannel({ id, teamId: h.teamId, members: ['UBOT'] });
    await h.bot.delivery.idle();
  });
  afterAll(async () => h.close());

  const postedIn = (channel: string, text: string) =>
    h.fake.waitFor(
      (e): e is RecordedCall =>
        e.kind === 'call' &&
        e.method === 'chat.postMessage' &&
        e.ok &&
        e.args.channel === channel &&
        String(e.args.text).includes(text),
      SOON_MS,
    );

  it('posts kudos "in a moment", as the reply promises', async () => {
    const reply = await h.kpi('UANA', 'kudos <@UBEN|ben> for the demo');
    expect(reply.body.text).toContain('in a moment');
    await postedIn(CHANNEL, 'gave kudos to <@UBEN>');
  });

  it('celebrates a deal won in the CRM as soon as the webhook is applied', async () => {
    await h.kpi('UBOSS', `recognition <#${WINS}|wins>`);
    const body = JSON.stringify({
      events: [
        {
          id: 'won-1',
          type: 'deal',
          occurred_at: h.clock.now.toISOString(),
          deal: { id: 'CRM-1', name: 'Hooli', amount: 30000, status: 'won', owner_email: 'owner@acme.test' },
        },
      ],
    });
    const timestamp = Math.floor(h.clock.now.getTime() / 1000);
    const res = await fetch(`${h.url}/webhooks/generic`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_won_1',
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(SECRET, 'msg_won_1', timestamp, body),
      },
      body,
    });
    expect(res.status).toBe(200);
    await postedIn(WINS, 'just won *Hooli*');
  });
});
