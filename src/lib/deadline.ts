/**
 * Waits for `promise` at most `ms`, then rejects with `onTimeout()`. The work itself goes on (a
 * query or an HTTP call cannot be taken back); what it does when it ends is its own business, and a
 * late failure is not left unhandled.
 */
export async function withDeadline<T>(work: PromiseLike<T>, ms: number, onTimeout: () => Error): Promise<T> {
  // Once: a lazy thenable (a drizzle query) would run again for every `then`.
  const promise = Promise.resolve(work);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  promise.catch(() => {});
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
