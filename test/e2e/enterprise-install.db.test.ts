import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { installations, workspaces } from '../../src/db/schema.js';
import { activityRows } from '../support/activity-rows.js';
import { describeDb, openTestDatabase } from '../support/db.js';
import { type FakeSlack, isCallTo, isResponse, type RecordedResponse, startFakeSlack } from '../support/fake-slack.js';
import { OAUTH, type OAuthReplica, startOAuthReplica } from '../support/oauth-harness.js';
import { eventBody, postSigned, slashCommandBody } from '../support/slack-signing.js';

/**
 * An Enterprise Grid org-wide install: one installation for the org, stored by its enterprise id;
 * each request says which workspace it comes from, and the data stays keyed per workspace.
 * oauth.v2.access answers as https://docs.slack.dev/reference/methods/oauth.v2.access/ shows for
 * an org-wide install (`team: null`, `enterprise`, `is_enterprise_install: true`).
 */
const ORG = 'E0ORG0001';
const EAST = 'T0EAST001';
const WEST = 'T0WEST001';
const ORG_TOKEN = `xoxb-${ORG}-code-org`;

describeDb('Enterprise Grid: an org-wide install', () => {
  let fake: FakeSlack;
  let database: DatabaseHandle;
  let replica: OAuthReplica;
  let seq = 0;

  beforeAll(async () => {
    fake = await startFakeSlack({ clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecret });
    database = await openTestDatabase();
    replica = await startOAuthReplica({ fake, database });
    for (const team of [EAST, WEST]) {
      fake.addWorkspaceToOrg(team, ORG);
      fake.addChannel({ id: `C${team.slice(1)}`, teamId: team, members: [`W${team.slice(1)}`, `UBOT${ORG}`] });
    }
    // Grid user ids start with W and are the same in every workspace of the org.
    fake.addUser({ id: 'W0ANA0001', teamId: EAST, name: 'ana', tz: 'UTC' });
    fake.addUser({ id: 'W0BEN0001', teamId: WEST, name: 'ben', tz: 'UTC' });
    fake.addUser({ id: 'W0CAT0001', teamId: EAST, name: 'cat', tz: 'UTC' });
  });
  afterAll(async () => {
    await replica.stop();
    await fake.close();
    await database.close();
  });

  /** `/kpi <text>` from a workspace of the org, as Slack sends it for an org-wide install. */
  async function kpi(teamId: string, userId: string, text: string): Promise<RecordedResponse> {
    const id = `r${++seq}`;
    const responseUrl = fake.responseUrl(id);
    const body = slashCommandBody({
      teamId,
      userId,
      text,
      enterpriseId: ORG,
      isEnterpriseInstall: true,
      channelId: `C${teamId.slice(1)}`,
      responseUrl,
      triggerId: `trigger-${id}`,
    });
    const res = await postSigned(`${replica.url}/slack/events`, body, {
      signingSecret: OAUTH.signingSecret,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    fake.commandAnswered(responseUrl, res);
    return fake.waitFor((e): e is RecordedResponse => isResponse(e) && e.id === id, 10_000);
  }

  it('stores one installation for the org, by its enterprise id', async () => {
    await replica.install(ORG, 'code-org', {
      team: null,
      enterprise: { id: ORG, name: 'Acme Corp' },
      is_enterprise_install: true,
    });
    const rows = await database.db.select().from(installations);
    expect(rows.map((r) => [r.key, r.enterpriseId, r.teamId, r.isEnterpriseInstall])).toEqual([
      [`E:${ORG}`, ORG, null, true],
    ]);
  });

  it("answers each workspace's commands with the org's token, keeping their data apart", async () => {
    expect((await kpi(EAST, 'W0ANA0001', 'log calls 3')).body.text).toBe('Logged 3 calls.');
    expect((await kpi(WEST, 'W0BEN0001', 'log deal won $50k')).body.text).toBe('Logged 1 deal won worth $50,000.');
    expect(fake.callsTo('users.info').map((c) => c.token)).toEqual([ORG_TOKEN, ORG_TOKEN]);

    expect((await activityRows(database.db, EAST, 'W0ANA0001')).map((r) => r.quantity)).toEqual([3]);
    expect(await activityRows(database.db, WEST, 'W0ANA0001')).toEqual([]);
    expect((await activityRows(database.db, WEST, 'W0BEN0001')).map((r) => r.amountCents)).toEqual([5_000_000]);
    const east = JSON.stringify((await kpi(EAST, 'W0ANA0001', 'board')).body);
    expect(east).not.toContain('$50,000');
    const rows = await database.db.select().from(workspaces).where(eq(workspaces.enterpriseId, ORG));
    expect(rows.map((r) => r.id).sort()).toEqual([EAST, WEST]);
  });

  it('posts on its own in a workspace of the org (the outbox) with the org’s token', async () => {
    const reply = await kpi(EAST, 'W0ANA0001', 'kudos <@W0CAT0001|cat> for the demo prep');
    expect(reply.body.text).toContain('Kudos to cat');
    const post = await fake.waitFor(isCallTo('chat.postMessage'), 10_000);
    expect(post).toMatchObject({ ok: true, token: ORG_TOKEN, args: { channel: `C${EAST.slice(1)}` } });
  });

  it('an org-wide uninstall removes the org’s tokens and marks every workspace of it; a reinstall keeps their history', async () => {
    // https://docs.slack.dev/reference/events/app_uninstalled/
    const body = eventBody(
      { type: 'app_uninstalled' },
      { teamId: EAST, enterpriseId: ORG, isEnterpriseInstall: true, eventId: 'Ev0ORGGONE' },
    );
    const res = await postSigned(`${replica.url}/slack/events`, body, {
      signingSecret: OAUTH.signingSecret,
      contentType: 'application/json',
    });
    expect(res.status).toBe(200);
    await expect.poll(async () => (await database.db.select().from(installations)).length).toBe(0);
    const orgWorkspaces = () => database.db.select().from(workspaces).where(eq(workspaces.enterpriseId, ORG));
    await expect.poll(async () => (await orgWorkspaces()).filter((w) => w.uninstalledAt !== null).length).toBe(2);

    await replica.install(ORG, 'code-again', { team: null, enterprise: { id: ORG }, is_enterprise_install: true });
    expect((await orgWorkspaces()).map((w) => w.uninstalledAt)).toEqual([null, null]);
    expect((await activityRows(database.db, EAST, 'W0ANA0001')).map((r) => r.quantity)).toEqual([3]);
  });
});
