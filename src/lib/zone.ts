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
