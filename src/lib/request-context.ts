import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What every log line written while serving one request carries: its id and, once known, the
 * workspace. The logger reads it (see `createLogger`), so an error logged deep inside a handler is
 * tied to the request's own info line without threading the id through every call.
 */
export interface RequestContext {
  requestId: string;
  workspace?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const newRequestId = (): string => randomUUID();

export function withRequestContext<T>(context: RequestContext, run: () => T): T {
  return storage.run(context, run);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
