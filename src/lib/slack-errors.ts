import type { webApi } from '@slack/bolt';

/**
 * The Web API's code for a platform error, checked against Bolt's enum at compile time. Importing
 * only its type keeps Bolt (and undici, express …) out of processes that never talk to Slack, such
 * as `npm run demo`, which reaches this module through the CRM owner matching.
 */
const PLATFORM_ERROR: `${webApi.ErrorCode.PlatformError}` = 'slack_webapi_platform_error';

/** The Web API error code (`users_not_found`, `invalid_auth` …) of a platform error, else null. */
export function slackErrorCode(error: unknown): string | null {
  if (!(error instanceof Error) || !('code' in error) || error.code !== PLATFORM_ERROR) return null;
  return (error as webApi.WebAPIPlatformError).data.error;
}
