import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';

/**
 * "Open HubSpot": the button is a link, so the browser does the work; Slack still sends the click
 * and expects an acknowledgement within 3 seconds, or it shows the admin a warning.
 */
export async function crmAuthorizeAction({ ack }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) {
  await ack();
}
