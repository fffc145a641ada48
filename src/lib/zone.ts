import { IANAZone } from 'luxon';

/**
 * Whether the runtime knows each zone seen so far. luxon checks by building an Intl formatter every
 * time, which showed in profiles of the Home and `/kpi me`; people share a handful of zones.
 */
const known = new Map<string, boolean>();
/** Slack names the zones, but a bound keeps odd strings from growing the cache. */
const MAX_KNOWN = 1000;

/** `timezone` when the runtime knows it, else UTC: an unknown zone would fail a window or a query. */
export function zoneOrUtc(timezone: string): string {
  let valid = known.get(timezone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(timezone);
    if (known.size < MAX_KNOWN) known.set(timezone, valid);
  }
  return valid ? timezone : 'UTC';
}

/**
 * luxon works a zone's UTC offset at an instant out with Intl's `formatToParts` on every call and
 * keeps nothing: a `/kpi me` asked 77 times for 16 instants, about a millisecond of CPU. The answer
 * depends only on the zone and the instant (the runtime's zone data does not change while it runs),
 * so each zone keeps its recent answers, a bounded few, whichever module asks.
 */
const RECENT_OFFSETS = 256;
const recentOffsets = new WeakMap<IANAZone, Map<number, number>>();
const computeOffset = IANAZone.prototype.offset;

IANAZone.prototype.offset = function rememberedOffset(this: IANAZone, ts: number): number {
  let recent = recentOffsets.get(this);
  if (recent === undefined) {
    recent = new Map();
    recentOffsets.set(this, recent);
  }
  const remembered = recent.get(ts);
  if (remembered !== undefined) return remembered;
  const offset = computeOffset.call(this, ts);
  if (recent.size >= RECENT_OFFSETS) recent.clear();
  recent.set(ts, offset);
  return offset;
};
