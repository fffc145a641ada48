import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_KIND_KEYS, ACTIVITY_KINDS } from '../../src/kpi/activity-kinds.js';
import { findKpi } from '../../src/kpi/catalogue.js';
import { formatMoney } from '../../src/lib/amount.js';
import {
  helpText,
  type KpiCommand,
  type ParseResult,
  parseKpiCommand,
  USAGE,
} from '../../src/slack/subcommands/registry.js';
import type { ParseContext } from '../../src/slack/subcommands/words.js';

const METRICS: Record<string, string> = { calls: 'calls', meetings: 'meetings_booked', 'win rate': 'win_rate' };

const ctx: ParseContext = {
  // Wednesday 18 November 2026, 14:00 in New York.
  now: new Date('2026-11-18T19:00:00Z'),
  timezone: 'America/New_York',
  findMetric: (name) => {
    const key = METRICS[name.toLowerCase()];
    return key === undefined ? undefined : { key };
  },
};

function parse(text: string): ParseResult {
  return parseKpiCommand(text, ctx);
}

function command(text: string): KpiCommand {
  const result = parse(text);
  if (!result.ok) throw new Error(`${text}: ${result.error}`);
  return result.command;
}

function error(text: string): { error: string; usage: string } {
  const result = parse(text);
  if (result.ok) throw new Error(`${text} parsed as ${JSON.stringify(result.command)}`);
  return result;
}

/** What Slack needs from text we send back: no raw `<`, `>` or `&`, and nothing that pings a channel. */
function expectSlackSafe(text: string): void {
  expect(text).not.toMatch(/[<>]/);
  expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
  expect(text).not.toMatch(/@(here|channel|everyone)/i);
}

describe('help', () => {
  it.each(['', '   ', 'help', 'HELP', 'help nonsense', 'help help'])('%j shows the full help', (text) => {
    expect(command(text)).toEqual({ type: 'help', topic: null });
  });

  it.each([
    ['help log', 'log'],
    ['help Board', 'board'],
    ['help leaderboard', 'board'],
    ['help privacy', 'privacy'],
  ] as const)('%j shows one topic', (text, topic) => {
    expect(command(text)).toEqual({ type: 'help', topic });
  });

  it('lists every subcommand, activity and window', () => {
    const help = helpText();
    for (const usage of Object.values(USAGE)) expect(help).toContain(usage);
    expect(help).toContain('/kpi help');
    expect(help).toContain('calls, conversations, emails, meetings, no-shows');
    expect(help).toContain('deals won, deals lost');
    expect(help).toContain('last quarter');
    expectSlackSafe(help);
  });

  it('gives one escaped usage line with an example for each subcommand', () => {
    for (const usage of Object.values(USAGE)) {
      expect(usage).toMatch(/^`\/kpi \w+/);
      expect(usage).toMatch(/e\.g\.|removes/);
      expect(usage).not.toContain('\n');
      expectSlackSafe(usage);
    }
  });
});

describe('log', () => {
  it.each<[string, Omit<Extract<KpiCommand, { type: 'log' }>, 'type'>]>([
    ['log calls', { kind: 'call', quantity: 1, amountCents: 0, note: null }],
    ['log calls 12', { kind: 'call', quantity: 12, amountCents: 0, note: null }],
    ['LOG Dials 1,200', { kind: 'call', quantity: 1200, amountCents: 0, note: null }],
    ['log calls 12 morning block', { kind: 'call', quantity: 12, amountCents: 0, note: 'morning block' }],
    ['log demo Acme follow-up', { kind: 'demo', quantity: 1, amountCents: 0, note: 'Acme follow-up' }],
    ['log no-show', { kind: 'no_show', quantity: 1, amountCents: 0, note: null }],
    ['log no show 2', { kind: 'no_show', quantity: 2, amountCents: 0, note: null }],
    ['log follow up 3 called back', { kind: 'follow_up', quantity: 3, amountCents: 0, note: 'called back' }],
    ['log meeting 2pm with Acme', { kind: 'meeting', quantity: 1, amountCents: 0, note: '2pm with Acme' }],
    // Deals: the longest alias wins, so "deal won" is not "deal" with a note "won".
    ['log deal won $12.5k Acme', { kind: 'deal_won', quantity: 1, amountCents: 1250000, note: 'Acme' }],
    ['log deal won', { kind: 'deal_won', quantity: 1, amountCents: 0, note: null }],
    ['log deal 12,500', { kind: 'deal_won', quantity: 1, amountCents: 1250000, note: null }],
    ['log deal won 150', { kind: 'deal_won', quantity: 1, amountCents: 15000, note: null }],
    ['log deal won 100', { kind: 'deal_won', quantity: 1, amountCents: 10000, note: null }],
    ['log deal won 99', { kind: 'deal_won', quantity: 99, amountCents: 0, note: null }],
    ['log deal won 3', { kind: 'deal_won', quantity: 3, amountCents: 0, note: null }],
    ['log deal won $50', { kind: 'deal_won', quantity: 1, amountCents: 5000, note: null }],
    ['log deal won 2k', { kind: 'deal_won', quantity: 1, amountCents: 200000, note: null }],
    ['log deal won $ 5k', { kind: 'deal_won', quantity: 1, amountCents: 500000, note: null }],
    ['log deals won 2 $5k Q4 push', { kind: 'deal_won', quantity: 2, amountCents: 500000, note: 'Q4 push' }],
    ['log deals won 2 5000', { kind: 'deal_won', quantity: 2, amountCents: 500000, note: null }],
    ['log closed lost €40k Globex', { kind: 'deal_lost', quantity: 1, amountCents: 4000000, note: 'Globex' }],
    ['log lost', { kind: 'deal_lost', quantity: 1, amountCents: 0, note: null }],
    // Counts written in words, one to twenty and a dozen.
    ['log calls twelve', { kind: 'call', quantity: 12, amountCents: 0, note: null }],
    ['log calls Twenty before lunch', { kind: 'call', quantity: 20, amountCents: 0, note: 'before lunch' }],
    ['log emails a dozen', { kind: 'email', quantity: 12, amountCents: 0, note: null }],
    ['log demo one Acme', { kind: 'demo', quantity: 1, amountCents: 0, note: 'Acme' }],
    ['log deals won three $5k Q4', { kind: 'deal_won', quantity: 3, amountCents: 500000, note: 'Q4' }],
    ['log deal won two', { kind: 'deal_won', quantity: 2, amountCents: 0, note: null }],
    ['log meeting ten with Acme', { kind: 'meeting', quantity: 10, amountCents: 0, note: 'with Acme' }],
    ['log meeting a quick one', { kind: 'meeting', quantity: 1, amountCents: 0, note: 'a quick one' }],
  ])('%j', (text, expected) => {
    expect(command(text)).toEqual({ type: 'log', ...expected });
  });

  it('decodes Slack escapes and unwraps mentions and links in notes', () => {
    expect(command('log calls 3 Acme &amp; Co &lt;3')).toMatchObject({ note: 'Acme & Co <3' });
    expect(command('log demo with <@U123|ana> and <@U456>')).toMatchObject({ note: 'with ana and @U456' });
    expect(command('log demo in <#C1|sales> re <https://acme.com|acme.com>')).toMatchObject({
      note: 'in #sales re acme.com',
    });
    expect(command('log demo see <https://acme.com/x>')).toMatchObject({ note: 'see https://acme.com/x' });
    // A `<` the user typed arrives escaped and is not mistaken for markup.
    expect(command('log demo &lt;@U123|ana&gt;')).toMatchObject({ note: '<@U123|ana>' });
  });

  it('strips invisible characters so they cannot break matching', () => {
    expect(command('log\u200B cal\u200Bls\u00A012\u202E')).toEqual({
      type: 'log',
      kind: 'call',
      quantity: 12,
      amountCents: 0,
      note: null,
    });
  });

  it('allows notes of up to 280 characters', () => {
    expect(command(`log calls 1 ${'é'.repeat(280)}`)).toMatchObject({ note: 'é'.repeat(280) });
    expect(command(`log calls 1 ${'🎉'.repeat(280)}`)).toMatchObject({ note: '🎉'.repeat(280) });
    expect(error(`log calls 1 ${'a'.repeat(281)}`).error).toMatch(/281 characters — notes can be up to 280/);
  });

  it.each([
    ['log', /What should I log\? You can log: calls, conversations/],
    ['log pizza 3', /I don't know the activity “pizza”\. You can log: calls/],
    ['log 5 calls', /Put the activity first: `\/kpi log calls 5`/],
    ['log 2 deals $5k', /Put the activity first: `\/kpi log deals 2 \$5k`/],
    ['log calls 0', /zero logs nothing/],
    ['log calls -3', /can't be negative/],
    ['log calls 2.5', /whole numbers/],
    ['log calls 20000', /more than 10,000/],
    ['log calls $500', /looks like an amount of money/],
    ['log calls ١٢', /plain digits 0–9/],
    ['log deal won 12,50', /“12,50” isn't a number I can read — try 12\.50 or 1,250/],
    ['log deal won -5k', /can't be negative/],
    ['log deal won $2b', /more than one billion/],
    ['log deal won 2.5', /whole number.*If it's an amount, add a currency sign: \$2\.5/],
    ['log deal won $5k 2', /With two numbers, the first is how many and the second the amount/],
    ['log deal won 2 12,50', /isn't a number I can read/],
    // Tokens that look like a malformed number are refused, not taken as a note.
    ['log calls 1e309', /“1e309” isn't a count I can read/],
    ['log calls 2E3 cold list', /“2E3” isn't a count I can read/],
    ['log calls +5', /“\+5” isn't a count I can read/],
    ['log calls 1_000', /“1_000” isn't a count I can read/],
    ['log calls 0x10', /“0x10” isn't a count I can read/],
    ['log deal won 1e309', /“1e309” isn't an amount I can read/],
  ])('%j is refused', (text, message) => {
    const result = error(text);
    expect(result.error).toMatch(message);
    expect(result.usage).toBe(USAGE.log);
  });
});

describe('undo and privacy', () => {
  it('undoes', () => {
    expect(command('undo')).toEqual({ type: 'undo' });
    expect(command('Undo')).toEqual({ type: 'undo' });
    expect(error('undo everything').usage).toBe(USAGE.undo);
  });

  it.each([
    ['privacy', 'status'],
    ['privacy status', 'status'],
    ['privacy hide', 'hide'],
    ['privacy on', 'hide'],
    ['PRIVACY Show', 'show'],
    ['privacy off', 'show'],
  ] as const)('%j', (text, setting) => {
    expect(command(text)).toEqual({ type: 'privacy', setting });
  });

  it('refuses other privacy settings', () => {
    expect(parse('privacy maybe')).toEqual({
      ok: false,
      error: "“maybe” isn't a privacy setting — use `hide` or `show`.",
      usage: USAGE.privacy,
    });
  });

  it('reads an export request and whom an admin wants forgotten', () => {
    expect(command('privacy export')).toEqual({ type: 'privacy_export' });
    expect(command('Privacy EXPORT')).toEqual({ type: 'privacy_export' });
    expect(command('privacy forget <@U0ANA|ana>')).toEqual({ type: 'privacy_forget', userId: 'U0ANA' });
    expect(error('privacy export everything').usage).toBe(USAGE.privacy);
    expect(error('privacy forget ana').error).toContain('Say whose data to erase');
    expect(error('privacy forget <@U0ANA> <@U0BEN>').error).toContain('Say whose data to erase');
  });
});

describe('me', () => {
  it.each([
    ['me', { kind: 'week' }],
    ['ME today', { kind: 'today' }],
    ['me last month', { kind: 'last_month' }],
    ['me nov 2 to nov 10', { kind: 'range', from: '2026-11-02', to: '2026-11-10' }],
  ])('%j', (text, window) => {
    expect(command(text)).toEqual({ type: 'me', window });
  });

  it.each([
    ['me fortnight', /“fortnight” isn't a time window I know/],
    ['me 2026-12-01', /hasn't started yet/],
    ['me feb 30', /isn't a real date/],
    ['me 2020-01-01 to 2026-01-01', /at most 366 days/],
  ])('%j is refused', (text, message) => {
    const result = error(text);
    expect(result.error).toMatch(message);
    expect(result.usage).toBe(USAGE.me);
  });
});

describe('board', () => {
  it.each([
    ['board', null, { kind: 'week' }],
    ['leaderboard', null, { kind: 'week' }],
    ['board last month', null, { kind: 'last_month' }],
    ['board calls', 'calls', { kind: 'week' }],
    ['board Win Rate', 'win_rate', { kind: 'week' }],
    ['board win rate last quarter', 'win_rate', { kind: 'last_quarter' }],
    ['board meetings this week', 'meetings_booked', { kind: 'week' }],
    ['board calls nov 2 - nov 10', 'calls', { kind: 'range', from: '2026-11-02', to: '2026-11-10' }],
    ['board 11/2 to 11/10', null, { kind: 'range', from: '2026-11-02', to: '2026-11-10' }],
  ])('%j', (text, metric, window) => {
    expect(command(text)).toEqual({ type: 'board', metric, window });
  });

  it.each([
    ['board pizza', /I don't know a metric called “pizza”\. Use `\/kpi explain` to list the metrics/],
    ['board pizza last week', /I don't know a metric called “pizza”/],
    ['board calls lst wk', /“lst wk” isn't a time window I know/],
    ['board calls 2027-01-01', /hasn't started yet/],
    ['board 2026-12-01 to 2026-12-05', /hasn't started yet/],
    ['board calls feb 30', /isn't a real date/],
    ['board calls 2026-02-30 to 2026-03-05', /“2026-02-30” isn't a real date/],
  ])('%j is refused', (text, message) => {
    const result = error(text);
    expect(result.error).toMatch(message);
    expect(result.usage).toBe(USAGE.board);
  });
});

describe('explain', () => {
  it('lists metrics or explains one', () => {
    expect(command('explain')).toEqual({ type: 'explain', metric: null });
    expect(command('explain win rate')).toEqual({ type: 'explain', metric: 'win_rate' });
    expect(parse('explain vibes')).toEqual({
      ok: false,
      error: "I don't know a metric called “vibes”. Use `/kpi explain` to list the metrics.",
      usage: USAGE.explain,
    });
  });
});

describe('anything else', () => {
  it('quotes what was typed and shows every usage line', () => {
    const result = error('dance');
    expect(result.error).toBe("I don't know the command “dance”. Here's what I understand:");
    for (const usage of Object.values(USAGE)) expect(result.usage).toContain(usage);
  });

  it('suggests `log` when the text starts with an activity', () => {
    expect(error('calls 5').error).toContain('Did you mean `/kpi log calls 5`?');
    expect(error('deal won $5k Acme').error).toContain('Did you mean `/kpi log deal won $5k Acme`?');
  });

  it('truncates the quote to 40 characters', () => {
    expect(error(`x${'y'.repeat(100)}`).error).toContain(`“x${'y'.repeat(39)}…”`);
    expect(error('🎉'.repeat(50)).error).toContain(`“${'🎉'.repeat(40)}…”`);
  });

  it('escapes the quote and defuses channel pings', () => {
    const result = error('hey <!channel> @here &lt;b&gt; &amp; <@U1|bob>');
    expect(result.error).toBe(
      "I don't know the command “hey channel here &lt;b&gt; &amp; bob”. Here's what I understand:",
    );
    expectSlackSafe(result.error);
  });

  it('refuses text over 1,000 characters without echoing it', () => {
    const result = error(`log calls 1 ${'z'.repeat(1000)}`);
    expect(result.error).toBe("That's over 1,000 characters — too long for me to read.");
    expect(result.usage).not.toBe('');
  });

  it.each([
    'Ich habe heute 5 Anrufe gemacht',
    '通話 5',
    'مكالمات ٥',
    '📞📞📞',
    '\u202Ecalls 5',
    '\u0000\u0007\u001b[31m',
  ])('answers %j with a friendly error or a command', (text) => {
    const result = parse(text);
    if (!result.ok) {
      expect(result.error).toMatch(/I don't know the command|Did you mean/);
      expectSlackSafe(result.error);
    }
  });
});

describe('parser properties', () => {
  const words = fc.constantFrom(
    'log',
    'board',
    'me',
    'help',
    'explain',
    'privacy',
    'undo',
    'calls',
    'deal',
    'won',
    'closed',
    'lost',
    'no-show',
    'win',
    'rate',
    '12',
    '1,200',
    '12,50',
    '$5k',
    '$',
    '-3',
    '0',
    '99999999999',
    '١٢',
    'last',
    'week',
    'nov',
    '2',
    'to',
    '2026-02-30',
    '2026-11-02',
    '11/2',
    '..',
    '–',
    '<@U1|ana>',
    '<!channel>',
    '<!subteam^S1|@sales>',
    '@here',
    '&amp;',
    '&lt;',
    '&',
    '<',
    '>',
    '\u200B',
    '\u202E',
    '\u0000',
    '💰',
    'ß',
    '',
  );
  const text = fc.oneof(
    fc.string({ maxLength: 4000 }),
    fc.string({ unit: 'grapheme', maxLength: 4000 }),
    fc.string({ unit: 'binary', maxLength: 4000 }),
    fc.array(words, { maxLength: 12 }).map((parts) => parts.join(' ')),
  );

  it('never throws, and errors come with usage and are safe for Slack', () => {
    fc.assert(
      fc.property(text, (input) => {
        const result = parse(input);
        if (result.ok) return;
        expect(result.error).not.toBe('');
        expect(result.usage).not.toBe('');
        expectSlackSafe(result.error);
        expectSlackSafe(result.usage);
      }),
      { numRuns: 500 },
    );
  });

  it('only logs sane quantities, amounts and notes', () => {
    fc.assert(
      fc.property(
        fc.array(words, { maxLength: 12 }).map((parts) => `log ${parts.join(' ')}`),
        (input) => {
          const result = parse(input);
          if (!result.ok || result.command.type !== 'log') return;
          const { quantity, amountCents, note } = result.command;
          expect(Number.isInteger(quantity) && quantity >= 1 && quantity <= 10_000).toBe(true);
          expect(Number.isSafeInteger(amountCents) && amountCents >= 0).toBe(true);
          expect(note === null || (note.length > 0 && note === note.trim())).toBe(true);
        },
      ),
    );
  });

  it('reads back every activity alias with a count, an amount and a note', () => {
    const kind = fc.constantFrom(...ACTIVITY_KIND_KEYS);
    const note = fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 5 });
    fc.assert(
      fc.property(
        kind,
        fc.nat(),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000_000_000 }),
        note,
        fc.boolean(),
        (k, aliasIndex, quantity, cents, noteWords, upper) => {
          const { aliases, money } = ACTIVITY_KINDS[k];
          const alias = aliases[aliasIndex % aliases.length] ?? k;
          const amount = money ? ` ${formatMoney(cents)}` : '';
          const typed = `log ${upper ? alias.toUpperCase() : alias} ${quantity.toLocaleString('en-US')}${amount} ${noteWords.join(' ')}`;
          expect(command(typed)).toEqual({
            type: 'log',
            kind: k,
            quantity,
            amountCents: money ? cents : 0,
            note: noteWords.length === 0 ? null : noteWords.join(' '),
          });
        },
      ),
    );
  });
});

describe('contest', () => {
  it.each<[string, KpiCommand]>([
    ['contest', { type: 'contest', action: 'list' }],
    ['contests', { type: 'contest', action: 'list' }],
    ['contest new', { type: 'contest', action: 'new' }],
    ['Contest Start', { type: 'contest', action: 'new' }],
    ['contest cancel 12', { type: 'contest', action: 'cancel', id: 12 }],
    ['contest cancel #3', { type: 'contest', action: 'cancel', id: 3 }],
  ])('%s', (text, command) => {
    expect(parse(text)).toEqual({ ok: true, command });
  });

  it.each(['contest cancel', 'contest cancel abc', 'contest cancel 0', 'contest cancel 1 2', 'contest new now'])(
    'refuses %s with the usage',
    (text) => {
      const result = parse(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.usage).toBe(USAGE.contest);
    },
  );
});

describe('crm (admins)', () => {
  it.each<[string, KpiCommand]>([
    ['crm', { type: 'crm', action: 'status' }],
    ['crm status', { type: 'crm', action: 'status' }],
    [
      'crm map hubspot 12345 <@U0ANA|ana>',
      { type: 'crm', action: 'map', source: 'hubspot', ownerId: '12345', userId: 'U0ANA' },
    ],
    [
      'CRM Map Salesforce 005Abc <@W0BEN>',
      { type: 'crm', action: 'map', source: 'salesforce', ownerId: '005Abc', userId: 'W0BEN' },
    ],
    ['crm connect pipedrive', { type: 'crm', action: 'connect', source: 'pipedrive', accountId: null }],
    ['crm connect hubspot 998877', { type: 'crm', action: 'connect', source: 'hubspot', accountId: '998877' }],
  ])('%s', (text, command) => {
    expect(parse(text)).toEqual({ ok: true, command });
  });

  it.each<[string, KpiCommand]>([
    ['crm map-activity', { type: 'crm', action: 'map-activity-list' }],
    [
      'crm map-activity HubSpot Call:Left-Voicemail call, conversation',
      {
        type: 'crm',
        action: 'map-activity',
        source: 'hubspot',
        key: 'call:left_voicemail',
        kinds: ['call', 'conversation'],
      },
    ],
    [
      'crm map-activity pipedrive lunch none',
      { type: 'crm', action: 'map-activity', source: 'pipedrive', key: 'lunch', kinds: [] },
    ],
    [
      'crm map-activity salesforce task follow-ups',
      { type: 'crm', action: 'map-activity', source: 'salesforce', key: 'task', kinds: ['follow_up'] },
    ],
    [
      'crm map-activity hubspot meeting:no_show default',
      { type: 'crm', action: 'map-activity', source: 'hubspot', key: 'meeting:no_show', kinds: null },
    ],
  ])('%s', (text, command) => {
    expect(parse(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['crm map-activity generic call call', 'Name the CRM'],
    ['crm map-activity hubspot call', 'Say what it counts as'],
    ['crm map-activity hubspot call:a:b call', "isn't a key"],
    ['crm map-activity hubspot call dials,hugs', 'hugs'],
  ])('refuses %s, saying why', (text, why) => {
    const result = parse(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(why);
  });

  it.each(['crm map hubspot 12345', 'crm map zoho 1 <@U1>', 'crm connect', 'crm frobnicate'])(
    'refuses %s with the usage',
    (text) => {
      const result = parse(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.usage).toBe(USAGE.crm);
    },
  );
});

describe('nudges', () => {
  it.each([
    ['nudges', { type: 'nudges', action: 'status' }],
    ['nudges status', { type: 'nudges', action: 'status' }],
    ['nudges off', { type: 'nudges', action: 'off' }],
    ['Nudges PAUSE', { type: 'nudges', action: 'off' }],
    ['nudges on', { type: 'nudges', action: 'on' }],
    ['nudge resume', { type: 'nudges', action: 'on' }],
    ['nudges at 8:30', { type: 'nudges', action: 'at', time: '08:30' }],
    ['nudges at 08:30', { type: 'nudges', action: 'at', time: '08:30' }],
    ['nudges at 8:30am', { type: 'nudges', action: 'at', time: '08:30' }],
    ['nudges at 8:30 am', { type: 'nudges', action: 'at', time: '08:30' }],
    ['nudges at 17:00', { type: 'nudges', action: 'at', time: '17:00' }],
    ['nudges at 5pm', { type: 'nudges', action: 'at', time: '17:00' }],
    ['nudges 7:45', { type: 'nudges', action: 'at', time: '07:45' }],
  ])('reads /kpi %s', (text, expected) => {
    expect(command(text)).toEqual(expected);
  });

  it('answers a time or setting it cannot read with what it expects', () => {
    expect(error('nudges at 25:00')).toEqual({
      ok: false,
      error: "“at 25:00” isn't a nudge setting. A time has hours 0 to 23, not 25.",
      usage: USAGE.nudges,
    });
    expect(error('nudges at').error).toBe('At what time? e.g. `/kpi nudges at 8:30`.');
    // Echoed text is defused: no @here ping in an error.
    expect(error('nudges sometimes <!here>').error).toBe(
      "“sometimes here” isn't a nudge setting. Give a time like `8:30`, `8:30am`, `17:00` or `5pm`.",
    );
    expect(helpText()).toContain('/kpi nudges off|on|at');
  });
});

describe('board subscriptions', () => {
  // The real catalogue, so scorecards are checked against it as in the app.
  const real: ParseContext = { ...ctx, findMetric: (name) => findKpi(name) };
  const subscribe = (text: string) => parseKpiCommand(`board subscribe ${text}`.trim(), real);
  const defaults = {
    type: 'board_subscribe',
    metric: null,
    scorecard: null,
    cadence: 'weekly',
    dayOfWeek: 1,
    dayOfMonth: 1,
    timeOfDay: '09:00',
    topN: 5,
  };

  it.each<[string, Record<string, unknown>]>([
    ['', {}],
    ['revenue', { metric: 'revenue' }],
    ['win rate daily at 17:30', { metric: 'win_rate', cadence: 'daily', timeOfDay: '17:30' }],
    ['calls weekly on friday at 4pm top 3', { metric: 'calls', dayOfWeek: 5, timeOfDay: '16:00', topN: 3 }],
    ['calls on Wed at 9 am', { metric: 'calls', dayOfWeek: 3 }],
    [
      'meetings monthly on the 15th at 8:30',
      { metric: 'meetings', cadence: 'monthly', dayOfMonth: 15, timeOfDay: '08:30' },
    ],
    ['on the 31st', { cadence: 'monthly', dayOfMonth: 31 }],
    ['at 12am', { timeOfDay: '00:00' }],
    ['at 12pm', { timeOfDay: '12:00' }],
    ['at 9.45', { timeOfDay: '09:45' }],
    ['top 20 deals won', { metric: 'deals_won', topN: 20 }],
  ])('%j', (text, fields) => {
    expect(subscribe(text)).toEqual({ ok: true, command: { ...defaults, ...fields } });
  });

  it('reads a weighted scorecard as metric:weight:target, money in cents and percents as fractions', () => {
    expect(subscribe('scorecard meetings:2:10 calls:1:100 revenue:3:$10k win_rate:1:30% weekly on monday')).toEqual({
      ok: true,
      command: {
        ...defaults,
        scorecard: [
          { metric: 'meetings', weight: 2, target: 10 },
          { metric: 'calls', weight: 1, target: 100 },
          { metric: 'revenue', weight: 3, target: 1_000_000 },
          { metric: 'win_rate', weight: 1, target: 0.3 },
        ],
      },
    });
  });

  it.each([
    ['pizza', /I don't know a metric called “pizza”/],
    ['calls daily on friday', /daily board can't post on a weekday/],
    ['calls weekly on the 3rd', /weekly board can't post on a day of the month/],
    ['calls on someday', /“someday” isn't a weekday or a day of the month/],
    ['calls on the 32nd', /“32nd” isn't a weekday/],
    ['calls at 25:00', /“25:00” isn't a time of day/],
    ['calls at 13pm', /“13pm” isn't a time of day/],
    ['calls at 9:75', /isn't a time of day/],
    ['calls top 0', /top 1 to 20/],
    ['calls top 50', /top 1 to 20/],
    ['scorecard', /metric:weight:target/],
    ['scorecard calls:0:10', /“calls:0:10” should read metric:weight:target/],
    ['scorecard calls:1', /should read metric:weight:target/],
    ['scorecard calls:1:-5', /should read metric:weight:target/],
    ['scorecard pizza:1:5', /I don't know a metric called “pizza”/],
    ['scorecard calls:1:5 calls:2:5', /twice/],
    [
      `scorecard ${Array.from({ length: 9 }, (_, i) =>
        ['calls', 'emails', 'meetings', 'demos', 'proposals', 'leads', 'qualified', 'follow ups', 'conversations'][
          i
        ]?.replace(' ', '_'),
      )
        .map((m) => `${m}:1:5`)
        .join(' ')}`,
      /1 to 8 metrics/,
    ],
  ])('%j is refused with the subscription usage', (text, message) => {
    const result = subscribe(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(message);
    expect(result.usage).toBe(USAGE.boards);
    expectSlackSafe(result.error);
  });

  it('unsubscribes one metric, the scorecard, or whatever single board the channel has', () => {
    expect(parseKpiCommand('board unsubscribe', real)).toEqual({
      ok: true,
      command: { type: 'board_unsubscribe', target: null },
    });
    expect(parseKpiCommand('board unsubscribe win rate', real)).toEqual({
      ok: true,
      command: { type: 'board_unsubscribe', target: { metric: 'win_rate' } },
    });
    expect(parseKpiCommand('board unsubscribe scorecard', real)).toEqual({
      ok: true,
      command: { type: 'board_unsubscribe', target: 'scorecard' },
    });
    expect(parseKpiCommand('board unsubscribe pizza', real).ok).toBe(false);
  });

  it('lists boards, and keeps `board` with a window working', () => {
    expect(command('boards')).toEqual({ type: 'boards' });
    expect(error('boards please').usage).toBe(USAGE.boards);
    expect(command('help boards')).toEqual({ type: 'help', topic: 'boards' });
    expect(command('board calls last week')).toEqual({ type: 'board', metric: 'calls', window: { kind: 'last_week' } });
  });
});
