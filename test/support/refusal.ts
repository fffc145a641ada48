import { webApi } from '@slack/bolt';

/** The `error` code of a Web API call Slack (or the fake) refuses; throws when it is not refused. */
export async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof webApi.WebAPIPlatformError) return error.data.error;
    throw error;
  }
  throw new Error('expected Slack to refuse the call');
}

/** What a promise rejects with; throws when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}
