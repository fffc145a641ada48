import { webApi } from '@slack/bolt';

/** The Web API error code (`users_not_found`, `invalid_auth` …) of a platform error, else null. */
export function slackErrorCode(error: unknown): string | null {
  if (!(error instanceof Error) || !('code' in error) || error.code !== webApi.ErrorCode.PlatformError) return null;
  return (error as webApi.WebAPIPlatformError).data.error;
}
