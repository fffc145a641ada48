import { performance } from 'node:perf_hooks';
import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import type { Logger } from '../lib/logger.js';
import { newRequestId, withRequestContext } from '../lib/request-context.js';
import type { Metrics } from './metrics.js';

/** Set on Bolt's context by the global middleware and by the `/kpi` listener (its parsed subcommand). */
export interface RequestInfo extends Context {
  requestId?: string;
  subcommand?: string;
  /** `performance.now()` when the HTTP receiver took the request (not in Socket Mode). */
  receivedAt?: number;
}

interface SlackBody {
  type?: string;
  command?: string;
  user_id?: string;
  user?: { id?: string };
  event?: { type?: string; user?: string };
  actions?: { action_id?: string }[];
  view?: { callback_id?: string };
  callback_id?: string;
}

/** What kind of request this is and its name: `/kpi`, an action id, an event type, a view's callback id. */
function describe(body: SlackBody): { kind: string; name: string } {
  if (body.command) return { kind: 'command', name: body.command };
  if (body.event?.type) return { kind: 'event', name: body.event.type };
  if (body.actions?.[0]?.action_id) return { kind: 'action', name: body.actions[0].action_id };
  if (body.view?.callback_id) return { kind: body.type ?? 'view', name: body.view.callback_id };
  return { kind: body.type ?? 'unknown', name: body.callback_id ?? 'unknown' };
}

/**
 * Every Slack request gets an id and one info line when it is done: what it was, the workspace and
 * user (Slack ids only: never the text someone typed), the outcome and the duration. Commands are
 * also timed into the metrics by subcommand.
 */
export function requestLog(logger: Logger, metrics: Metrics): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const info = context as RequestInfo;
    const requestId = newRequestId();
    info.requestId = requestId;
    const slackBody = body as SlackBody;
    const workspace = context.teamId ?? context.enterpriseId;
    const started = performance.now();
    let outcome = 'ok';
    try {
      await withRequestContext({ requestId, ...(workspace ? { workspace } : {}) }, next);
    } catch (error) {
      outcome = 'error';
      throw error;
    } finally {
      const durationMs = Math.round(performance.now() - started);
      const { kind, name } = describe(slackBody);
      const user = slackBody.user_id ?? slackBody.user?.id ?? slackBody.event?.user;
      if (kind === 'command') metrics.command(info.subcommand ?? 'unknown', outcome, durationMs / 1000);
      logger.info(
        { requestId, workspace, user, kind, name, subcommand: info.subcommand, outcome, durationMs },
        `slack ${kind} handled`,
      );
    }
  };
}

/**
 * Runs one job body with an id of its own, and writes its info line and metrics: the job, the
 * workspace it was limited to, the outcome, the duration and what it reported.
 */
export async function observeJob<T>(
  deps: { logger: Logger; metrics: Metrics },
  job: { name: string; workspace?: string | undefined },
  run: () => Promise<T>,
): Promise<T> {
  const requestId = newRequestId();
  const started = performance.now();
  let outcome = 'ok';
  let report: T | undefined;
  try {
    report = await withRequestContext({ requestId, ...(job.workspace ? { workspace: job.workspace } : {}) }, run);
    return report;
  } catch (error) {
    outcome = 'error';
    throw error;
  } finally {
    const durationMs = Math.round(performance.now() - started);
    deps.metrics.job(job.name, durationMs / 1000, outcome === 'error');
    deps.logger.info(
      { requestId, job: job.name, workspace: job.workspace, outcome, durationMs, ...(report as object | undefined) },
      'job ran',
    );
  }
}
