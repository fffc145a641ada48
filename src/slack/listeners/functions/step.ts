import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
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
export class StepRefusal extends Error {
  readonly code = 'kpi_bot.workflow_step_refused';
}

export interface StepContext {
  deps: AppDeps;
  /** The person who started the workflow, as Slack vouches for them (see `interactorOf`). */
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
 * The person who started the workflow. Only the `interactivity` input proves it: Slack fills its
 * `interactor` for a workflow started by a person (a link, a button, a shortcut), and only Slack's
 * own steps may output one. A user named in any other input is whatever the workflow's author
 * chose, so it never grants a role.
 */
function interactorOf(inputs: Record<string, unknown>): string | null {
  const interactivity = inputs.interactivity;
  if (!interactivity || typeof interactivity !== 'object') return null;
  const interactor = (interactivity as { interactor?: { id?: unknown } }).interactor;
  return typeof interactor?.id === 'string' && USER_ID.test(interactor.id) ? interactor.id : null;
}

const NO_INTERACTOR =
  'KPI Coach needs to know who runs this step: start the workflow from a link, button or shortcut, and set the step’s “Who runs it” input to the person who used the workflow.';

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
      const actorId = interactorOf(inputs);
      if (!workspaceId) throw new StepRefusal('KPI Coach could not tell which workspace this workflow runs in.');
      if (!actorId) throw new StepRefusal(NO_INTERACTOR);
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
