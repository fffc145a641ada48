import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { zoneOrUtc } from '../../src/lib/zone.js';

describe('zoneOrUtc', () => {
  it('keeps a zone the runtime knows, and says the same the second time', () => {
    expect(zoneOrUtc('America/New_York')).toBe('America/New_York');
    expect(zoneOrUtc('America/New_York')).toBe('America/New_York');
  });

  it('falls back to UTC for an unknown or empty zone, every time', () => {
    expect(zoneOrUtc('Fantasia/Castle')).toBe('UTC');
    expect(zoneOrUtc('Fantasia/Castle')).toBe('UTC');
    expect(zoneOrUtc('')).toBe('UTC');
  });
});

/** The offset at an instant as Intl tells it, worked out here without luxon: the oracle. */
function intlOffset(zone: string, ts: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    era: 'short',
  }).formatToParts(new Date(ts));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const bc = parts.find((p) => p.type === 'era')?.value === 'BC';
  const local = Date.UTC(bc ? 1 - n('year') : n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((local - Math.floor(ts / 1000) * 1000) / 60_000);
}

/** The instants each zone's clocks changed at from 2020 to 2030 (a daily scan, then to the millisecond). */
function transitions(zone: string): number[] {
  const found: number[] = [];
  const day = 86_400_000;
  for (let t = Date.UTC(2020, 0, 1); t < Date.UTC(2030, 0, 1); t += day) {
    if (intlOffset(zone, t) === intlOffset(zone, t + day)) continue;
    let [lo, hi] = [t, t + day];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (intlOffset(zone, mid) === intlOffset(zone, lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}

describe('zone offsets, remembered', () => {
  const ZONES = [
    'America/New_York',
    'Europe/London',
    'America/Santiago',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Africa/Casablanca',
  ];
  const changes = new Map(ZONES.map((zone) => [zone, transitions(zone)]));
  const MINUTE = 60_000;
  // Anywhere from 1990 to 2040, and right around a change: a cache keyed by anything coarser than
  // the instant (Lord Howe changes at half past a UTC hour) answers with the wrong side's offset.
  const asked = fc.constantFrom(...ZONES).chain((zone) =>
    fc.tuple(
      fc.constant(zone),
      fc.array(
        fc.oneof(
          fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
          fc
            .tuple(
              fc.constantFrom(...(changes.get(zone)?.length ? (changes.get(zone) ?? []) : [Date.UTC(2025, 0, 1)])),
              fc.constantFrom(-31 * MINUTE, -14 * MINUTE, -1, 0, 1, 14 * MINUTE, 29 * MINUTE, 31 * MINUTE),
            )
            .map(([at, delta]) => at + delta),
        ),
        { minLength: 300, maxLength: 600 },
      ),
    ),
  );

  it('finds clock changes to check against in every zone with them', () => {
    expect(changes.get('Australia/Lord_Howe')?.length).toBeGreaterThan(15);
    expect(changes.get('Asia/Kathmandu')).toEqual([]);
  });

  it('equal what Intl says at every instant, asked once or again, past the cache’s bound', () => {
    fc.assert(
      fc.property(asked, ([zone, instants]) => {
        const iana = IANAZone.create(zone);
        for (const ts of [...instants, ...instants.reverse()]) {
          expect(iana.offset(ts)).toBe(intlOffset(zone, ts));
          expect(DateTime.fromMillis(ts, { zone }).offset).toBe(intlOffset(zone, ts));
        }
      }),
      { numRuns: 25 },
    );
  });
});
