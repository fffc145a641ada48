import { webApi } from '@slack/bolt';
import { expect, it, vi } from 'vitest';
import { recordActivity } from '../../../../src/activities/activities.repository.js';
import { upsertSubscription } from '../../../../src/boards/board-subscriptions.repository.js';
import { encodePositionRef } from '../../../../src/slack/blocks/board-post.blocks.js';
import { createBoardPositionAction } from '../../../../src/slack/listeners/actions/board-position.action.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import {
  argsOf,
  clickButton,
  handlerDeps,
  NOW,
  replies,
  seedMember,
  stubClient,
  useTestDatabase,
} from '../../../support/handler.js';

const CHANNEL = 'CSALES';
const DAY = 24 * 60 * 60 * 1000;

/** What the Web API client throws when Slack answers `ok: false`. */
function platformError(error: string) {
  return Object.assign(new Error(`An API error occurred: ${error}`), {
    code: webApi.ErrorCode.PlatformError,
    data: { ok: false, error },
  });
}

describeDb('createBoardPositionAction', () => {
  const database = useTestDatabase();

  /** A weekly calls board in CSALES, where UANA logged 3 calls and UBEN 5 during the posted week. */
  async function board(workspaceId: string) {
    for (const [userId, calls] of [
      ['UANA', 3],
      ['UBEN', 5],
    ] as const) {
      await seedMember(database.db, workspaceId, userId);
      await recordActivity(database.db, {
        workspaceId,
        userId,
        kind: 'call',
        quantity: calls,
        amountCents: 0,
        occurredAt: new Date(NOW.getTime() - DAY),
        source: 'slack',
        idempotencyKey: `calls-${userId}`,
      });
    }
    const { subscription } = await upsertSubscription(database.db, {
      workspaceId,
      channelId: CHANNEL,
      metric: 'calls',
      scorecard: null,
      cadence: 'weekly',
      dayOfWeek: 1,
      dayOfMonth: 1,
      timeOfDay: '09:00',
      timezone: 'UTC',
      topN: 10,
      createdBy: 'UBEN',
      nextRunAt: NOW,
    });
    return encodePositionRef({
      subscriptionId: subscription.id,
      start: new Date(NOW.getTime() - 7 * DAY),
      end: NOW,
      previousStart: new Date(NOW.getTime() - 14 * DAY),
    });
  }

  async function click(workspaceId: string, value: string, members: () => Promise<unknown>) {
    const client = stubClient();
    vi.spyOn(client.conversations, 'members').mockImplementation(members as never);
    return clickButton(createBoardPositionAction(handlerDeps(database.db)), {
      workspaceId,
      userId: 'UANA',
      value,
      client,
    });
  }

  it("answers the clicker's own place among the channel's members, privately", async () => {
    const ws = newWorkspaceId();
    const value = await board(ws);
    const respond = await click(ws, value, async () => ({ ok: true, members: ['UANA', 'UBEN'] }));
    expect(respond).toHaveBeenCalledWith(
      expect.objectContaining({
        response_type: 'ephemeral',
        replace_original: false,
        text: expect.stringContaining('*#2 of 2*'),
      }),
    );
  });

  it('says so when Slack will not list the channel, and when the board is gone', async () => {
    const ws = newWorkspaceId();
    const value = await board(ws);
    const unreadable = await click(ws, value, async () => {
      throw platformError('channel_not_found');
    });
    expect(unreadable).toHaveBeenCalledWith(
      expect.objectContaining({ text: expect.stringMatching(/^I cannot read this channel's members right now: /) }),
    );
    const gone = await click(newWorkspaceId(), value, async () => ({ ok: true, members: [] }));
    expect(gone).toHaveBeenCalledWith({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'That board is no longer available, so I cannot work out your position on it.',
    });
  });
});
