import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { workspaces } from '../db/schema.js';
import { ACTIVITY_KIND_KEYS, type ActivityKind } from '../kpi/activity-kinds.js';

/**
 * A workspace's game and recognition settings, stored as one JSON document on the workspace row.
 * Every field has a default, so an empty document is a complete, sensible configuration, and a
 * document written by an older version still reads.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as yyyy-mm-dd');
const kind = z.enum(ACTIVITY_KIND_KEYS as [ActivityKind, ...ActivityKind[]]);

/** Points per unit of each activity: effort that moves deals counts more than volume. */
export const DEFAULT_POINTS: Readonly<Record<ActivityKind, number>> = {
  call: 1,
  email: 1,
  conversation: 3,
  follow_up: 2,
  meeting: 5,
  demo: 8,
  proposal: 10,
  lead: 1,
  qualified: 10,
  deal_won: 25,
  no_show: 0,
  deal_lost: 0,
};

/**
 * A quality gate: an entry of this kind earns credit (points, contest score) only when it carries
 * an outcome note of at least `minNoteChars` characters (e.g. a conversation with what was agreed).
 */
const gate = z.object({ minNoteChars: z.number().int().min(1).max(280) });

export const settingsSchema = z.object({
  points: z.partialRecord(kind, z.number().min(0).max(1000)).default({}),
  qualityGates: z.partialRecord(kind, gate).default({}),
  /** Days that are not working days (weekends never are): streaks and pace skip them. */
  holidays: z.array(isoDate).max(366).default([]),
  /** Activities per working day that keep a streak going. */
  dailyActivityGoal: z.number().int().min(1).max(10_000).default(10),
  recognition: z
    .object({
      /** Where deal celebrations go; none means no celebration posts. */
      channelId: z.string().nullable().default(null),
      showDealName: z.boolean().default(true),
      showAmount: z.boolean().default(true),
    })
    .default({ channelId: null, showDealName: true, showAmount: true }),
  kudosDailyCap: z.number().int().min(1).max(100).default(3),
  /** Manager digests: ISO weekday and local time. */
  digest: z
    .object({ dayOfWeek: z.number().int().min(1).max(7).default(1), timeOfDay: z.string().default('08:00') })
    .default({ dayOfWeek: 1, timeOfDay: '08:00' }),
});

export type WorkspaceSettings = z.infer<typeof settingsSchema>;

/** Reads stored settings; anything unreadable falls back to its default rather than failing a command. */
export function parseSettings(stored: unknown): WorkspaceSettings {
  const parsed = settingsSchema.safeParse(stored ?? {});
  if (parsed.success) return parsed.data;
  return settingsSchema.parse({});
}

export async function getSettings(db: Database, workspaceId: string): Promise<WorkspaceSettings> {
  const rows = await db
    .select({ settings: workspaces.settings })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return parseSettings(rows[0]?.settings);
}

export function pointsFor(settings: WorkspaceSettings, kindKey: ActivityKind): number {
  return settings.points[kindKey] ?? DEFAULT_POINTS[kindKey];
}

/** Stores a whole, validated settings document (callers merge their change into `getSettings` first). */
export async function saveSettings(db: Database, workspaceId: string, settings: WorkspaceSettings): Promise<void> {
  await db
    .update(workspaces)
    .set({ settings: settingsSchema.parse(settings) })
    .where(eq(workspaces.id, workspaceId));
}
