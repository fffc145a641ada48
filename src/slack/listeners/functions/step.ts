import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { CodedError, ErrorCode } from '../../../lib/errors.js';
import { slackErrorCode } from '../../../lib/slack-errors.js';
import { isAdmin, isManager } from '../../../members/roles.js';
import { type Actor, resolveActor } from '../../actor.js';
import type { AppDeps } from '../../deps.js';

/**
 * What every Workflow Builder step shares: who runs it, the role checks the slash commands make, and
 * finishing the step once with `functions.completeSuccess` or `functions.completeError` in words the
 * workflow's author understands.
 */

export type StepArgs = AllMiddlewareArgs & SlackEventMiddlewareArgs<'function_executed'>;

/** A step that cannot run as asked; its message goes to the workflow's author as it is. */
export class StepRefusal extends CodedError {
  readonly code = ErrorCode.WorkflowStepRefused;
}

export interface StepContext {
  deps: AppDeps;
  /** The person who started the workflow, as Slack vouches for them (see `runnerOf`). */
  actor: Actor;
  inputs: Record<string, unknown>;
  /** Slack's id for this run of the step: the idempotency key of what it writes. */
  executionId: string;
  now: Date;
  /** Reads a member of the workspace (the rep a step is about), synced from Slack when unknown. */
  member(userId: string): Promise<Actor>;
}

/** A step's body: the outputs to complete with, or a `StepRefusal`. */
export type StepBody = (ctx: StepContext) => Promise<Record<string, unknown>>;

const USER_ID = /^[UW][A-Z0-9]+$/;

/**
 * The person the workflow runs for. Only the `runner` input (a `slack#/types/user_context`) proves
 * it: Workflow Builder shows no field for it and fills it itself, from the person who started the
 * workflow (a link, a shortcut) or who pressed a button in an earlier step. A user named in any other
 * input is whatever the workflow's author chose, so it never grants a role.
 * https://docs.slack.dev/reference/types/user_context-type
 */
function runnerOf(inputs: Record<string, unknown>): string | null {
  const runner = inputs.runner as { id?: unknown } | null | undefined;
  return typeof runner?.id === 'string' && USER_ID.test(runner.id) ? runner.id : null;
}

const NO_RUNNER =
  'KPI Coach needs to know who runs this step: start the workflow from a link or shortcut, or, for a scheduled workflow, put a message with a button before this step, so Slack can tell who it runs for.';

/** A user id input, or a refusal naming the input. */
export function userInput(inputs: Record<string, unknown>, name: string, title: string): string {
  const value = inputs[name];
  if (typeof value !== 'string' || !USER_ID.test(value)) throw new StepRefusal(`Choose a person for “${title}”.`);
  return value;
}

/** An optional text input, trimmed; null when empty. */
export function textInput(inputs: Record<string, unknown>, name: string): string | null {
  const value = inputs[name];
  if (value === undefined || value === null) return null;
  const text = String(value).trim();
  return text === '' ? null : text;
}

/**
 * Whether `actor` may act on `subject`'s numbers: their own, a manager's team, anyone's for an admin
 * (as `/kpi goal … for @rep` decides).
 */
export function mayActFor(actor: Actor, subject: Actor): boolean {
  if (actor.member.userId === subject.member.userId || isAdmin(actor.member)) return true;
  return isManager(actor.member) && subject.member.managerId === actor.member.userId;
}

/**
 * The function listener for one step: resolves who runs it, runs the body, and completes the step
 * once. A Slack retry of a step already completed finds it no longer running, and stops there.
 */
export function createStep(deps: AppDeps, body: StepBody) {
  return async ({ inputs, complete, fail, client, context, event }: StepArgs) => {
    const now = deps.now();
    const workspaceId = context.teamId;
    const ids = (userId: string) => ({ workspaceId: workspaceId ?? '', userId, enterpriseId: context.enterpriseId });
    const finish = async (run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        if (slackErrorCode(error) === 'execution_not_in_running_state') return;
        throw error;
      }
    };
    try {
      const actorId = runnerOf(inputs);
      if (!workspaceId) throw new StepRefusal('KPI Coach could not tell which workspace this workflow runs in.');
      if (!actorId) throw new StepRefusal(NO_RUNNER);
      const actor = await resolveActor(deps, client, ids(actorId), now);
      const member = (userId: string) => resolveActor(deps, client, ids(userId), now);
      const outputs = await body({ deps, actor, inputs, executionId: event.function_execution_id, now, member });
      await finish(() => complete({ outputs }));
    } catch (error) {
      if (error instanceof StepRefusal) {
        await finish(() => fail({ error: error.message }));
        return;
      }
      await finish(() => fail({ error: 'KPI Coach hit a problem on its side. Try running the workflow again.' }));
      throw error;
    }
  };
}
