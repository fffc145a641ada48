import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { FIELDS, readContestForm, readMetadata, type StateValues } from '../../../contests/contest-form.js';
import { createContest } from '../../../contests/contests.repository.js';
import { isManager, onlyManagers } from '../../../members/roles.js';
import { resolveActor } from '../../actor.js';
import { contestCreatedView } from '../../blocks/contest.blocks.js';
import type { AppDeps } from '../../deps.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The "new contest" modal's submission. Checked on the server (the role again, since anyone can
 * post a payload, and every field); problems go back under their fields and nothing is stored.
 * The contest is stored once per modal (its key in `private_metadata`), so a retried or double
 * submission shows the same contest.
 */
export function createContestNewView(deps: AppDeps) {
  return async ({ ack, body, view, client, context }: Args) => {
    const now = deps.now();
    const workspaceId = context.teamId ?? body.team?.id ?? view.team_id;
    const meta = readMetadata(view.private_metadata);
    if (!meta) {
      await ack({
        response_action: 'errors',
        errors: { [FIELDS.name]: 'This form is out of date. Close it and run `/kpi contest new` again.' },
      });
      return;
    }
    const { member, currency } = await resolveActor(deps, client, { workspaceId, userId: body.user.id }, now);
    if (!isManager(member)) {
      await ack({ response_action: 'errors', errors: { [FIELDS.name]: onlyManagers('start a contest') } });
      return;
    }
    const form = readContestForm(view.state.values as StateValues, { now, timezone: meta.timezone });
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    const { contest, created } = await createContest(deps.db, {
      workspaceId,
      actorId: member.userId,
      key: meta.key,
      draft: form.draft,
      now,
    });
    await ack({ response_action: 'update', view: contestCreatedView(contest, currency, !created) });
  };
}
