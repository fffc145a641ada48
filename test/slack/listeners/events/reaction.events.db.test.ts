import { expect, it } from 'vitest';
import { outbox } from '../../../../src/db/schema.js';
import { createReactionHandler } from '../../../../src/slack/listeners/events/reaction.events.js';
import { reactionEvent, reactionsOn } from '../../../recognition/events.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, stubClient, stubUsersInfo, useTestDatabase } from '../../../support/handler.js';

const CHANNEL = 'CWINS';
const POST_TS = '1773154800.000100';
const BOT_USER = 'UBOT';

describeDb('createReactionHandler', () => {
  const database = useTestDatabase();

  /** A recognition post about UANA, as the deliverer leaves it once Slack accepted it. */
  async function recognitionPost(workspaceId: string) {
    await database.db.insert(outbox).values({
      workspaceId,
      key: `recognition:${workspaceId}`,
      kind: 'recognition',
      target: CHANNEL,
      payload: { text: 'Ana closed a deal' },
      subjectUserId: 'UANA',
      status: 'sent',
      channelId: CHANNEL,
      messageTs: POST_TS,
    });
  }

  async function react(
    workspaceId: string,
    type: 'reaction_added' | 'reaction_removed',
    user: string,
    options: { ts?: string; isBot?: boolean } = {},
  ) {
    const client = stubClient();
    const usersInfo = stubUsersInfo(client, { isBot: options.isBot });
    const handler = createReactionHandler(handlerDeps(database.db));
    await handler(
      argsOf(handler, {
        client,
        event: reactionEvent(type, { user, channel: CHANNEL, ts: options.ts ?? POST_TS }),
        context: { teamId: workspaceId, botUserId: BOT_USER },
        body: { team_id: workspaceId },
      }),
    );
    return usersInfo;
  }

  it("counts a teammate's reaction once, and forgets it when removed", async () => {
    const ws = newWorkspaceId();
    await recognitionPost(ws);
    await react(ws, 'reaction_added', 'UBEN');
    await react(ws, 'reaction_added', 'UBEN');
    expect(await reactionsOn(database.db, ws, POST_TS)).toEqual([
      expect.objectContaining({ reactorId: 'UBEN', subjectUserId: 'UANA' }),
    ]);
    await react(ws, 'reaction_removed', 'UBEN');
    expect(await reactionsOn(database.db, ws, POST_TS)).toEqual([]);
  });

  it('ignores the subject, the bot itself and bot users', async () => {
    const ws = newWorkspaceId();
    await recognitionPost(ws);
    await react(ws, 'reaction_added', 'UANA');
    await react(ws, 'reaction_added', BOT_USER);
    await react(ws, 'reaction_added', 'UROBOT', { isBot: true });
    expect(await reactionsOn(database.db, ws, POST_TS)).toEqual([]);
  });

  it("ignores other messages' reactions before asking Slack anything", async () => {
    const ws = newWorkspaceId();
    await recognitionPost(ws);
    const usersInfo = await react(ws, 'reaction_added', 'UBEN', { ts: '1773154800.999999' });
    expect(usersInfo).not.toHaveBeenCalled();
    expect(await reactionsOn(database.db, ws, '1773154800.999999')).toEqual([]);
  });
});
