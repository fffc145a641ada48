import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import type { Database, DatabaseHandle } from '../../src/db/client.js';
import { createLogger } from '../../src/lib/logger.js';
import { ensureWorkspace, upsertProfile } from '../../src/members/members.repository.js';
import type { Role } from '../../src/members/roles.js';
import { setRole } from '../../src/members/team.repository.js';
import type { AppDeps } from '../../src/slack/deps.js';
import { openTestDatabase } from './db.js';

/**
 * Handler tests call a listener factory directly, as the Bolt starter template does: stubbed
 * `ack`/`respond`, a real `WebClient` whose methods are stubbed one by one, and a real database.
 */

export const NOW = new Date('2026-03-10T15:00:00Z');

/**
 * The listeners under actions/, events/ and views/ never touch the CRM runner or its settings; the
 * Home reads which CRMs can be connected by OAuth and the backfills, and here there are none.
 */
function crmDeps(given: Partial<AppDeps['crm']>): AppDeps['crm'] {
  return new Proxy({} as AppDeps['crm'], {
    get: (_target, key) => {
      if (key in given) return given[key as keyof AppDeps['crm']];
      if (key === 'oauth') return {};
      if (key === 'backfills') return null;
      throw new Error(`handler touched deps.crm.${String(key)}`);
    },
  });
}

/** `crm`: what of the CRM side a handler may use (a `Backfills`), the rest refused. */
export function handlerDeps(db: Database, now: Date = NOW, crm: Partial<AppDeps['crm']> = {}): AppDeps {
  return { db, logger: createLogger('silent'), now: () => now, crm: crmDeps(crm) };
}

/**
 * A real client pointed at a closed port with no retries: a method a test did not stub fails at
 * once instead of reaching Slack, and the handler sees the error it would see in production.
 */
export function stubClient(): webApi.WebClient {
  return new webApi.WebClient('xoxb-test', {
    slackApiUrl: 'http://127.0.0.1:9/api/',
    retryConfig: { retries: 0 },
    logger: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      setLevel() {},
      getLevel: () => 'error',
      setName() {},
    } as never,
  });
}

/** `users.info` answering with a plain human in the given workspace. */
export function stubUsersInfo(client: webApi.WebClient, profile: { isAdmin?: boolean; isBot?: boolean } = {}) {
  return vi.spyOn(client.users, 'info').mockImplementation(async (args) => ({
    ok: true,
    user: {
      id: (args as { user: string }).user,
      name: (args as { user: string }).user.toLowerCase(),
      tz: 'Europe/Paris',
      is_bot: profile.isBot ?? false,
      is_admin: profile.isAdmin ?? false,
      deleted: false,
      profile: { display_name: (args as { user: string }).user },
    },
  }));
}

/** A member synced just now (so no `users.info` is needed), with the given role. */
export async function seedMember(db: Database, workspaceId: string, userId: string, role: Role = 'rep', now = NOW) {
  await ensureWorkspace(db, workspaceId);
  await upsertProfile(
    db,
    {
      workspaceId,
      userId,
      displayName: userId,
      email: null,
      timezone: 'UTC',
      isBot: false,
      isDeleted: false,
      isSlackAdmin: false,
    },
    now,
  );
  if (role !== 'rep') await setRole(db, { workspaceId, actorId: userId, userId, role, at: now });
}

/** Stubbed `ack` and `respond`, recording what the handler sent. */
export function replies() {
  return { ack: vi.fn(async (_response?: unknown) => {}), respond: vi.fn(async (_message: unknown) => {}) };
}

/** Bolt's listener arguments are large unions; a test passes only what the handler reads. */
export function argsOf<H extends (args: never) => unknown>(
  _handler: H,
  args: Record<string, unknown>,
): Parameters<H>[0] {
  return args as unknown as Parameters<H>[0];
}

/** A click on a button: the action handler called for the clicker, the button's value and the workspace. */
export async function clickButton<H extends (args: never) => Promise<void>>(
  handler: H,
  click: { workspaceId: string; userId: string; value: string; client?: webApi.WebClient },
) {
  const { ack, respond } = replies();
  await handler(
    argsOf(handler, {
      ack,
      respond,
      client: click.client ?? stubClient(),
      body: { user: { id: click.userId } },
      action: { value: click.value },
      context: { teamId: click.workspaceId },
    }),
  );
  expect(ack).toHaveBeenCalledOnce();
  return respond;
}

/** A fresh, migrated database for the test file, closed after it. */
export function useTestDatabase(): { readonly db: Database } {
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => handle?.close());
  return {
    get db() {
      if (!handle) throw new Error('the test database is opened in beforeAll');
      return handle.db;
    },
  };
}
