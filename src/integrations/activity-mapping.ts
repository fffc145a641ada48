import { ACTIVITY_KINDS, type ActivityKind, isActivityKind } from '../kpi/activity-kinds.js';
import type { ActivityFields, CrmSource } from './crm-event.js';

/**
 * How a CRM activity record counts: pure, so webhooks and a backfill's API reads map alike.
 *
 * A record gives mapping keys from most to least specific (`call:connected`, then `call`); the
 * first key the mapping knows decides its kinds, and a record whose keys are all unknown counts
 * as nothing. A workspace's own rows (`/kpi crm map-activity`) replace the default of their key.
 */

export type ActivitySource = Exclude<CrmSource, 'generic'>;
export const ACTIVITY_SOURCES: readonly ActivitySource[] = ['hubspot', 'salesforce', 'pipedrive'];

/** Key → kinds; an empty list means "counts as nothing". */
export type ActivityMapping = ReadonlyMap<string, readonly ActivityKind[]>;

const MEETING_OUTCOMES: Record<string, ActivityKind[]> = {
  // A no-show was booked too: the no-show rate is no-shows over meetings booked.
  'meeting:no_show': ['meeting', 'no_show'],
  'meeting:canceled': [],
  meeting: ['meeting'],
};

/**
 * The defaults. HubSpot: a call is a dial, a connected one also a conversation; a meeting's outcome
 * gives meetings and no-shows; only emails sent count; a completed task is a follow-up (its type,
 * TODO, CALL or EMAIL, is the channel of the reminder). Salesforce: Tasks of subtype Call and Email,
 * Events as meetings, other completed Tasks as follow-ups. Pipedrive: by activity type key.
 */
export const DEFAULT_ACTIVITY_MAPPINGS: Record<ActivitySource, Readonly<Record<string, readonly ActivityKind[]>>> = {
  hubspot: {
    'call:connected': ['call', 'conversation'],
    call: ['call'],
    ...MEETING_OUTCOMES,
    'email:received': [],
    'email:forwarded': [],
    email: ['email'],
    task: ['follow_up'],
  },
  salesforce: {
    'call:connected': ['call', 'conversation'],
    call: ['call'],
    ...MEETING_OUTCOMES,
    'email:list': [],
    email: ['email'],
    task: ['follow_up'],
  },
  pipedrive: {
    call: ['call'],
    meeting: ['meeting'],
    lunch: ['meeting'],
    email: ['email'],
    task: ['follow_up'],
    deadline: [],
  },
};

/** Keys are lower case, with no spaces: `Left voicemail` becomes `left_voicemail`. */
export function mappingKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** The record's keys, most specific first; none while it is not done or has no type. */
export function mappingKeys(fields: ActivityFields): string[] {
  if (!fields.type || fields.done === false) return [];
  const type = mappingKey(fields.type);
  return fields.outcome ? [`${type}:${mappingKey(fields.outcome)}`, type] : [type];
}

/** The defaults of a CRM with a workspace's rows laid over them. */
export function effectiveMapping(
  source: ActivitySource,
  overrides: readonly { crmKey: string; kinds: readonly string[] }[],
): ActivityMapping {
  const mapping = new Map<string, readonly ActivityKind[]>(Object.entries(DEFAULT_ACTIVITY_MAPPINGS[source]));
  for (const row of overrides) mapping.set(row.crmKey, row.kinds.filter(isActivityKind));
  return mapping;
}

/** What a record counts as: the kinds of its most specific key the mapping knows. */
export function kindsFor(fields: ActivityFields, mapping: ActivityMapping): readonly ActivityKind[] {
  for (const key of mappingKeys(fields)) {
    const kinds = mapping.get(key);
    if (kinds !== undefined) return kinds;
  }
  return [];
}

/** `a` and `b` name the same kinds, whatever the order. */
function sameKinds(a: readonly ActivityKind[], b: readonly ActivityKind[]): boolean {
  return a.length === b.length && a.every((k) => b.includes(k));
}

/** One line per key, the workspace's changes marked: what `/kpi explain crm` shows. */
export function describeMapping(source: ActivitySource, mapping: ActivityMapping): string[] {
  const defaults = DEFAULT_ACTIVITY_MAPPINGS[source];
  return [...mapping.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, kinds]) => {
      const counted = kinds.length > 0 ? kinds.map((k) => ACTIVITY_KINDS[k].one).join(' + ') : 'not counted';
      const fallback = defaults[key];
      const changed = fallback === undefined || !sameKinds(fallback, kinds);
      return `\`${key}\` → ${counted}${changed ? ' (changed here)' : ''}`;
    });
}

/**
 * Parses the kinds an admin typed: `call,conversation`, `follow-up`, or `none`. Aliases work as in
 * `/kpi log`. Returns the kinds, or the word that is not one.
 */
export function parseKinds(text: string): { ok: true; kinds: ActivityKind[] } | { ok: false; word: string } {
  if (text.trim().toLowerCase() === 'none') return { ok: true, kinds: [] };
  const kinds: ActivityKind[] = [];
  for (const word of text.split(/[,+]/).map((w) => w.trim().toLowerCase())) {
    const kind = (Object.keys(ACTIVITY_KINDS) as ActivityKind[]).find(
      (k) => k === word || (ACTIVITY_KINDS[k].aliases as readonly string[]).includes(word),
    );
    if (!kind) return { ok: false, word };
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  return { ok: true, kinds };
}
