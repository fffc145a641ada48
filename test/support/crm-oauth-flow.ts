import type { CrmSource } from '../../src/integrations/crm-event.js';
import type { FakeSlack, RecordedResponse } from './fake-slack.js';
import type { OAuthReplica } from './oauth-harness.js';

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
