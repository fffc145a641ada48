import { and, eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../../src/db/client.js';
import { crmConnections } from '../../src/db/schema.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import type { CrmSource } from '../../src/integrations/crm-event.js';
import type { Logger } from '../../src/lib/logger.js';
import { openTestDatabase } from './db.js';
import { type FakeSlack, type RecordedResponse, startFakeSlack } from './fake-slack.js';
import { OAUTH, type OAuthReplica, startOAuthReplica } from './oauth-harness.js';

/**
 * Many-workspace mode with a CRM app configured by `env`: the fake Slack, a database and one replica,
 * with two workspaces installed (TAAA and TBBB) whose admins will race for one CRM account.
 */
export async function startOAuthWorld(
  env: Record<string, string>,
  now: () => Date,
  logger?: Logger,
): Promise<{ slack: FakeSlack; database: DatabaseHandle; replica: OAuthReplica }> {
  const slack = await startFakeSlack({ clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecret });
  const database = await openTestDatabase();
  const problems: string[] = [];
  const crm = parseCrmConfig(env, problems);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const replica = await startOAuthReplica({ fake: slack, database, crm, now, ...(logger && { logger }) });
  await replica.install('TAAA', 'code-a');
  await replica.install('TBBB', 'code-b');
  return { slack, database, replica };
}

/**
 * An admin connecting a CRM by OAuth, as the tests drive it: `/kpi crm connect <crm>` through signed
 * Slack requests, the consent page's URL from the reply's button, and the CRM sending the browser
 * back to the app's real callback route.
 */
export function crmOAuthFlow(slack: () => FakeSlack, replica: () => OAuthReplica) {
  let commands = 0;
  async function kpi(teamId: string, userId: string, text: string, isAdmin = false): Promise<RecordedResponse> {
    slack().addUser({ id: userId, teamId, name: userId, tz: 'UTC', isAdmin });
    const answer = await replica().kpi(teamId, userId, text, `c${++commands}`);
    if (typeof answer === 'number') throw new Error(`/kpi ${text} answered ${answer}`);
    return answer;
  }
  return {
    kpi,
    /** `/kpi crm connect <crm>` as an admin: the consent page's URL the reply's button opens. */
    async authorizeUrl(teamId: string, userId: string, source: CrmSource): Promise<URL> {
      const reply = await kpi(teamId, userId, `crm connect ${source}`, true);
      const button = JSON.stringify(reply.body).match(/"url":"([^"]+)"/)?.[1];
      if (!button) throw new Error(`no button in ${JSON.stringify(reply.body)}`);
      return new URL(button);
    },
    /** The CRM sending the admin's browser back to the app. */
    async callback(source: CrmSource, query: Record<string, string>): Promise<{ status: number; text: string }> {
      const res = await fetch(`${replica().url}/crm/oauth/${source}/callback?${new URLSearchParams(query)}`);
      return { status: res.status, text: await res.text() };
    },
  };
}

/** Stops what a test started, in the order given (the app before the fakes and the database it uses). */
export async function closeAll(...things: ({ close(): Promise<void> } | { stop(): Promise<void> } | undefined)[]) {
  for (const thing of things) {
    if (thing) await ('stop' in thing ? thing.stop() : thing.close());
  }
}

/** The workspace's connection to the CRM, as stored. */
export async function connectionOf(database: DatabaseHandle, teamId: string, source: CrmSource) {
  const [row] = await database.db
    .select()
    .from(crmConnections)
    .where(and(eq(crmConnections.workspaceId, teamId), eq(crmConnections.source, source)));
  return row;
}
