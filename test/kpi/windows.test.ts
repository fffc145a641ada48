import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  describeWindow,
  type PeriodKind,
  parseWindow,
  previousWindow,
  resolveWindow,
  type WindowSpec,
} from '../../src/kpi/windows.js';

const NY = 'America/New_York';
/** Wednesday 18 November 2026, 14:00 in New York (EST, UTC−5). */
const NOW = new Date('2026-11-18T19:00:00Z');

function spec(text: string, now = NOW, timezone = NY): WindowSpec {
  const result = parseWindow(text, now, timezone);
  if (!result.ok) throw new Error(result.error);
  return result.spec;
}

function iso(date: Date): string {
  return date.toISOString();
}

function span(kind: PeriodKind, now: string, timezone: string): [string, string] {
  const w = resolveWindow({ kind }, new Date(now), timezone);
  return [iso(w.start), iso(w.end)];
}

describe('parseWindow', () => {
  it.each([
    ['today', 'today'],
    ['yesterday', 'yesterday'],
    ['week', 'week'],
    ['this week', 'week'],
    ['  This   WEEK ', 'week'],
    ['month', 'month'],
    ['this month', 'month'],
    ['quarter', 'quarter'],
    ['this quarter', 'quarter'],
    ['year', 'year'],
    ['this year', 'year'],
    ['last week', 'last_week'],
    ['Last Month', 'last_month'],
    ['last quarter', 'last_quarter'],
  ])('reads %j', (text, kind) => {
    expect(spec(text)).toEqual({ kind });
  });

  it.each([
    ['2026-11-02 to 2026-11-10', '2026-11-02', '2026-11-10'],
    ['2026-11-02 - 2026-11-10', '2026-11-02', '2026-11-10'],
    ['2026-11-02-2026-11-10', '2026-11-02', '2026-11-10'],
    ['2026-11-02–2026-11-10', '2026-11-02', '2026-11-10'],
    ['2026-11-02..2026-11-10', '2026-11-02', '2026-11-10'],
    ['2026-11-02 through 2026-11-10', '2026-11-02', '2026-11-10'],
    ['11/2 to 11/10', '2026-11-02', '2026-11-10'],
    ['Nov 2 to Nov 10', '2026-11-02', '2026-11-10'],
    ['2 Nov – 10 Nov', '2026-11-02', '2026-11-10'],
    ['november 2nd to november 10th', '2026-11-02', '2026-11-10'],
    ['nov 2 2025 to nov 10 2025', '2025-11-02', '2025-11-10'],
    ['nov 2, 2025 to 10 nov 2025', '2025-11-02', '2025-11-10'],
    ['sept 1 to sep 30', '2026-09-01', '2026-09-30'],
    // A year-less date still to come this year means last year's.
    ['11/25', '2025-11-25', '2025-11-25'],
    ['dec 20 to jan 5', '2025-12-20', '2026-01-05'],
    ['2025-12-20 to jan 5', '2025-12-20', '2026-01-05'],
    // One date is a one-day window.
    ['nov 2', '2026-11-02', '2026-11-02'],
    ['2026-11-18', '2026-11-18', '2026-11-18'],
    // A range may run into the future; resolveWindow clips it.
    ['nov 2 to nov 30', '2026-11-02', '2026-11-30'],
  ])('reads %j as a range', (text, from, to) => {
    expect(spec(text)).toEqual({ kind: 'range', from, to });
  });

  it.each([
    ['feb 30', /“feb 30” isn't a real date/],
    ['2026-02-30 to 2026-03-05', /“2026-02-30” isn't a real date/],
    ['13/45', /isn't a real date/],
    ['nov 10 to nov 2', /starts after it ends/],
    ['2026-11-10 to 2025-11-10', /starts after it ends/],
    ['2026-11-19', /hasn't started yet/],
    ['2026-11-20 to 2026-12-01', /hasn't started yet/],
    ['2025-01-01 to 2026-01-02', /367 days long — a window can cover at most 366 days/],
  ])('refuses %j as an invalid window', (text, error) => {
    const result = parseWindow(text, NOW, NY);
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it('accepts a leap year of 366 days', () => {
    expect(spec('2024-01-01 to 2024-12-31')).toEqual({ kind: 'range', from: '2024-01-01', to: '2024-12-31' });
  });

  it.each(['', 'fortnight', 'last year', 'calls', '2', 'nov', 'next week', '📈', 'letzte Woche'])(
    'does not recognise %j, and says what it accepts',
    (text) => {
      const result = parseWindow(text, NOW, NY);
      expect(result).toMatchObject({ ok: false, reason: 'unrecognized' });
      if (!result.ok) expect(result.error).toMatch(/isn't a time window I know\. Try today, yesterday, this week/);
    },
  );

  it('quotes at most 40 characters of unknown text', () => {
    const result = parseWindow(`${'x'.repeat(100)}`, NOW, NY);
    if (result.ok) throw new Error('expected an error');
    expect(result.error).toContain(`“${'x'.repeat(40)}…”`);
  });

  it('reads year-less dates in the user’s zone', () => {
    // 02:00 UTC on 1 Jan 2027 is still 31 Dec 2026 in New York, so "12/31" is today there, not next year.
    const now = new Date('2027-01-01T02:00:00Z');
    expect(spec('12/31', now, NY)).toEqual({ kind: 'range', from: '2026-12-31', to: '2026-12-31' });
    expect(spec('12/31', now, 'UTC')).toEqual({ kind: 'range', from: '2026-12-31', to: '2026-12-31' });
    expect(spec('1/1', now, NY)).toEqual({ kind: 'range', from: '2026-01-01', to: '2026-01-01' });
    expect(spec('1/1', now, 'UTC')).toEqual({ kind: 'range', from: '2027-01-01', to: '2027-01-01' });
  });

  it('never throws on arbitrary text', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc
        .array(
          fc.constantFrom('nov', '2', '2026-11-02', '11/2', 'to', '-', '..', '–', 'last', 'week', 'feb', '30', ' '),
        )
        .map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseWindow(input, NOW, NY);
        if (!result.ok) expect(result.error).not.toBe('');
      }),
    );
  });
});

describe('resolveWindow', () => {
  it('labels and describes windows in the user’s zone', () => {
    const week = resolveWindow({ kind: 'week' }, NOW, NY);
    expect(week.label).toBe('This week (Mon 16 Nov – Sun 22 Nov)');
    expect(describeWindow(week)).toBe('Mon 16 Nov 00:00 to Wed 18 Nov 14:00 (America/New_York)');

    const lastWeek = resolveWindow({ kind: 'last_week' }, NOW, NY);
    expect(lastWeek.label).toBe('Last week (Mon 9 Nov – Sun 15 Nov)');
    expect(describeWindow(lastWeek)).toBe('Mon 9 Nov 00:00 to Sun 15 Nov 24:00 (America/New_York)');

    expect(resolveWindow({ kind: 'today' }, NOW, NY).label).toBe('Today so far');
    expect(resolveWindow({ kind: 'yesterday' }, NOW, NY).label).toBe('Yesterday (Tue 17 Nov)');
    expect(resolveWindow({ kind: 'month' }, NOW, NY).label).toBe('This month (November 2026)');
    expect(resolveWindow({ kind: 'last_month' }, NOW, NY).label).toBe('Last month (October 2026)');
    expect(resolveWindow({ kind: 'quarter' }, NOW, NY).label).toBe('This quarter (Q4 2026)');
    expect(resolveWindow({ kind: 'last_quarter' }, NOW, NY).label).toBe('Last quarter (Q3 2026)');
    expect(resolveWindow({ kind: 'year' }, NOW, NY).label).toBe('This year (2026)');
  });

  it('runs current periods up to now and past periods in full', () => {
    expect(span('today', '2026-11-18T19:00:00Z', NY)).toEqual(['2026-11-18T05:00:00.000Z', '2026-11-18T19:00:00.000Z']);
    expect(span('month', '2026-11-18T19:00:00Z', NY)).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-18T19:00:00.000Z']);
    expect(span('quarter', '2026-11-18T19:00:00Z', NY)).toEqual([
      '2026-10-01T04:00:00.000Z',
      '2026-11-18T19:00:00.000Z',
    ]);
    expect(span('year', '2026-11-18T19:00:00Z', NY)).toEqual(['2026-01-01T05:00:00.000Z', '2026-11-18T19:00:00.000Z']);
    expect(span('last_month', '2026-11-18T19:00:00Z', NY)).toEqual([
      '2026-10-01T04:00:00.000Z',
      '2026-11-01T04:00:00.000Z',
    ]);
  });

  describe('America/New_York, DST starting Sun 8 Mar 2026', () => {
    // Wed 11 Mar 2026 12:00 EDT (UTC−4).
    const now = '2026-03-11T16:00:00Z';

    it('starts this week on Mon 9 Mar 00:00 EDT', () => {
      expect(span('week', now, NY)).toEqual(['2026-03-09T04:00:00.000Z', '2026-03-11T16:00:00.000Z']);
    });

    it('compares with Mon 2 Mar 00:00 EST → Wed 4 Mar 12:00 EST, the same local hours', () => {
      const previous = previousWindow(resolveWindow({ kind: 'week' }, new Date(now), NY));
      expect([iso(previous.start), iso(previous.end)]).toEqual([
        '2026-03-02T05:00:00.000Z',
        '2026-03-04T17:00:00.000Z',
      ]);
      expect(previous.label).toBe('Last week to the same point (Mon 2 Mar 00:00 to Wed 4 Mar 12:00)');
      expect(previous.spec).toEqual({ kind: 'range', from: '2026-03-02', to: '2026-03-04' });
    });

    it('makes last week 167 hours long', () => {
      expect(span('last_week', now, NY)).toEqual(['2026-03-02T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    });

    it('makes Sun 8 Mar a 23-hour day', () => {
      expect(span('yesterday', '2026-03-09T14:00:00Z', NY)).toEqual([
        '2026-03-08T05:00:00.000Z',
        '2026-03-09T04:00:00.000Z',
      ]);
    });
  });

  describe('Europe/London, BST from Sun 29 Mar to Sun 25 Oct 2026', () => {
    const LONDON = 'Europe/London';

    it('starts the week after the spring change on Mon 30 Mar 00:00 BST, compared with Mon 23 Mar GMT', () => {
      // Tue 31 Mar 2026 10:00 BST.
      const week = resolveWindow({ kind: 'week' }, new Date('2026-03-31T09:00:00Z'), LONDON);
      expect(iso(week.start)).toBe('2026-03-29T23:00:00.000Z');
      const previous = previousWindow(week);
      expect([iso(previous.start), iso(previous.end)]).toEqual([
        '2026-03-23T00:00:00.000Z',
        '2026-03-24T10:00:00.000Z',
      ]);
    });

    it('makes the week before the autumn change run from BST to GMT midnights', () => {
      expect(span('last_week', '2026-10-28T12:00:00Z', LONDON)).toEqual([
        '2026-10-18T23:00:00.000Z',
        '2026-10-26T00:00:00.000Z',
      ]);
    });

    it('starts Sun 25 Oct at 00:00 BST and compares Monday morning with Sunday’s same local hours', () => {
      expect(span('today', '2026-10-25T12:00:00Z', LONDON)).toEqual([
        '2026-10-24T23:00:00.000Z',
        '2026-10-25T12:00:00.000Z',
      ]);
      const previous = previousWindow(resolveWindow({ kind: 'today' }, new Date('2026-10-26T10:00:00Z'), LONDON));
      expect([iso(previous.start), iso(previous.end)]).toEqual([
        '2026-10-24T23:00:00.000Z',
        '2026-10-25T10:00:00.000Z',
      ]);
      expect(previous.label).toBe('Yesterday to the same point (Sun 25 Oct 00:00 to Sun 25 Oct 10:00)');
    });
  });

  describe('Asia/Kolkata, UTC+05:30', () => {
    const KOLKATA = 'Asia/Kolkata';
    // Wed 18 Nov 2026 08:30 IST.
    const now = '2026-11-18T03:00:00Z';

    it.each([
      ['today', '2026-11-17T18:30:00.000Z', '2026-11-18T03:00:00.000Z'],
      ['week', '2026-11-15T18:30:00.000Z', '2026-11-18T03:00:00.000Z'],
      ['month', '2026-10-31T18:30:00.000Z', '2026-11-18T03:00:00.000Z'],
      ['last_quarter', '2026-06-30T18:30:00.000Z', '2026-09-30T18:30:00.000Z'],
    ] as const)('%s', (kind, start, end) => {
      expect(span(kind, now, KOLKATA)).toEqual([start, end]);
    });
  });

  describe('America/Havana, where clocks change at midnight', () => {
    const HAVANA = 'America/Havana';

    it('starts a day that has no midnight (Sun 8 Mar 2026) at 01:00 CDT', () => {
      expect(span('today', '2026-03-08T17:00:00Z', HAVANA)[0]).toBe('2026-03-08T05:00:00.000Z');
    });

    it('starts a day whose midnight happens twice (Sun 1 Nov 2026) at the first one, 00:00 CDT', () => {
      expect(span('today', '2026-11-01T17:00:00Z', HAVANA)[0]).toBe('2026-11-01T04:00:00.000Z');
      const saturday = resolveWindow(spec('2026-10-31', new Date('2026-11-01T17:00:00Z'), HAVANA), NOW, HAVANA);
      expect(iso(saturday.end)).toBe('2026-11-01T04:00:00.000Z');
    });
  });

  it('resolves a range over whole local days, clipping it at now', () => {
    const past = resolveWindow(spec('nov 2 to nov 10'), NOW, NY);
    expect([iso(past.start), iso(past.end)]).toEqual(['2026-11-02T05:00:00.000Z', '2026-11-11T05:00:00.000Z']);
    expect(past.label).toBe('Mon 2 Nov – Tue 10 Nov 2026');

    const running = resolveWindow(spec('nov 2 to nov 30'), NOW, NY);
    expect([iso(running.start), iso(running.end)]).toEqual(['2026-11-02T05:00:00.000Z', iso(NOW)]);
    expect(running.label).toBe('Mon 2 Nov – Mon 30 Nov 2026 so far');

    expect(resolveWindow(spec('nov 2'), NOW, NY).label).toBe('Mon 2 Nov 2026');
  });

  it('shows years in descriptions only when a window crosses one', () => {
    const w = resolveWindow(spec('dec 20 to jan 5'), NOW, NY);
    expect(w.label).toBe('Sat 20 Dec 2025 – Mon 5 Jan 2026');
    expect(describeWindow(w)).toBe('Sat 20 Dec 2025 00:00 to Mon 5 Jan 2026 24:00 (America/New_York)');
  });

  it('never ends a range before it starts, even if it has not started by now', () => {
    const w = resolveWindow({ kind: 'range', from: '2026-12-01', to: '2026-12-05' }, NOW, NY);
    expect(w.end).toEqual(w.start);
  });

  it('falls back to UTC for an unknown timezone', () => {
    const w = resolveWindow({ kind: 'today' }, NOW, 'Mars/Olympus_Mons');
    expect(w.timezone).toBe('UTC');
    expect(iso(w.start)).toBe('2026-11-18T00:00:00.000Z');
    expect(describeWindow(w)).toBe('Wed 18 Nov 00:00 to Wed 18 Nov 19:00 (UTC)');
    expect(parseWindow('11/18', NOW, '')).toEqual({
      ok: true,
      spec: { kind: 'range', from: '2026-11-18', to: '2026-11-18' },
    });
  });
});

describe('previousWindow', () => {
  it('takes the complete period before a complete one', () => {
    const previous = previousWindow(resolveWindow({ kind: 'last_month' }, NOW, NY));
    expect([iso(previous.start), iso(previous.end)]).toEqual(['2026-09-01T04:00:00.000Z', '2026-10-01T04:00:00.000Z']);
    expect(previous.label).toBe('The month before (September 2026)');
    expect(previous.spec).toEqual({ kind: 'range', from: '2026-09-01', to: '2026-09-30' });
  });

  it('clamps the same point in a shorter month to its end', () => {
    // Tue 31 Mar 2026 12:00 EDT → the same point in February is Sat 28 Feb 12:00 EST.
    const previous = previousWindow(resolveWindow({ kind: 'month' }, new Date('2026-03-31T16:00:00Z'), NY));
    expect([iso(previous.start), iso(previous.end)]).toEqual(['2026-02-01T05:00:00.000Z', '2026-02-28T17:00:00.000Z']);
  });

  it('takes the same number of days just before a range', () => {
    const previous = previousWindow(resolveWindow(spec('nov 2 to nov 10'), NOW, NY));
    expect(previous.spec).toEqual({ kind: 'range', from: '2026-10-24', to: '2026-11-01' });
    expect([iso(previous.start), iso(previous.end)]).toEqual(['2026-10-24T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
    expect(previous.label).toBe('The 9 days before (Sat 24 Oct – Sun 1 Nov 2026)');
  });

  it('chains: the window before the previous one comes before it', () => {
    const first = resolveWindow({ kind: 'week' }, NOW, NY);
    const second = previousWindow(first);
    const third = previousWindow(second);
    expect(third.end.getTime()).toBeLessThanOrEqual(second.start.getTime());
  });
});

describe('window properties', () => {
  const zones = [
    'UTC',
    NY,
    'Europe/London',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    // Clocks change at midnight here, so some days start at 01:00.
    'America/Santiago',
    'America/Havana',
  ];
  const toDate: PeriodKind[] = ['today', 'week', 'month', 'quarter', 'year'];
  const complete: PeriodKind[] = ['yesterday', 'last_week', 'last_month', 'last_quarter'];
  const now = fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2040-01-01T00:00:00Z'),
    noInvalidDate: true,
  });
  const zone = fc.constantFrom(...zones);

  it('runs to-date windows from the period start to exactly now', () => {
    fc.assert(
      fc.property(now, zone, fc.constantFrom(...toDate), (at, timezone, kind) => {
        const w = resolveWindow({ kind }, at, timezone);
        expect(w.end.getTime()).toBe(at.getTime());
        expect(w.start.getTime()).toBeLessThanOrEqual(w.end.getTime());
        // Empty only at the very instant a period starts.
        if (w.start.getTime() === w.end.getTime()) expect(w.start.getTime()).toBe(at.getTime());
      }),
    );
  });

  it('makes complete windows non-empty and over by now', () => {
    fc.assert(
      fc.property(now, zone, fc.constantFrom(...complete), (at, timezone, kind) => {
        const w = resolveWindow({ kind }, at, timezone);
        expect(w.start.getTime()).toBeLessThan(w.end.getTime());
        expect(w.end.getTime()).toBeLessThanOrEqual(at.getTime());
      }),
    );
  });

  it('starts weeks on a local Monday', () => {
    fc.assert(
      fc.property(now, zone, fc.constantFrom<PeriodKind>('week', 'last_week'), (at, timezone, kind) => {
        const start = DateTime.fromJSDate(resolveWindow({ kind }, at, timezone).start, { zone: timezone });
        expect(start.weekday).toBe(1);
        expect(start.toFormat('HH:mm')).toMatch(/^0[01]:00$/);
      }),
    );
  });

  it('puts the previous window before the window, never overlapping', () => {
    fc.assert(
      fc.property(now, zone, fc.constantFrom(...toDate, ...complete), (at, timezone, kind) => {
        const w = resolveWindow({ kind }, at, timezone);
        const previous = previousWindow(w);
        expect(previous.end.getTime()).toBeLessThanOrEqual(w.start.getTime());
        expect(previous.start.getTime()).toBeLessThanOrEqual(previous.end.getTime());
        expect(previousWindow(previous).end.getTime()).toBeLessThanOrEqual(previous.start.getTime());
      }),
    );
  });

  it('round-trips typed ranges of 1 to 366 days, resolving them to whole local days', () => {
    const range = fc.record({ daysAgo: fc.integer({ min: 0, max: 3000 }), length: fc.integer({ min: 1, max: 366 }) });
    fc.assert(
      fc.property(now, zone, range, (at, timezone, { daysAgo, length }) => {
        const localDate = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).toFormat('yyyy-MM-dd');
        const first = DateTime.fromJSDate(at, { zone: timezone }).minus({ days: daysAgo });
        const from = first.toFormat('yyyy-MM-dd');
        const to = first.plus({ days: length - 1 }).toFormat('yyyy-MM-dd');
        expect(parseWindow(`${from} to ${to}`, at, timezone)).toEqual({ ok: true, spec: { kind: 'range', from, to } });

        const w = resolveWindow({ kind: 'range', from, to }, at, timezone);
        // Starts at the first instant of `from`…
        expect(localDate(w.start.getTime())).toBe(from);
        expect(localDate(w.start.getTime() - 1)).not.toBe(from);
        // …and ends after the last instant of `to`, or at now if that comes first.
        if (w.end.getTime() === at.getTime()) {
          expect(localDate(at.getTime()) <= to).toBe(true);
        } else {
          expect(localDate(w.end.getTime() - 1)).toBe(to);
          expect(localDate(w.end.getTime())).not.toBe(to);
        }
        expect(previousWindow(w).end.getTime()).toBeLessThanOrEqual(w.start.getTime());
      }),
    );
  });
});
