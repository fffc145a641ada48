import { describe, expect, it } from 'vitest';
import { MAX_NOTE_CHARS } from '../../../src/kpi/activity-kinds.js';
import { findKpi } from '../../../src/kpi/catalogue.js';
import { logSubcommand, parseLogMessage } from '../../../src/slack/subcommands/log.subcommand.js';
import { prefillFromMessage } from '../../../src/slack/subcommands/log-from-message.js';
import { commandWords } from '../../../src/slack/subcommands/words.js';

const LINK = 'https://acme.slack.com/archives/C0SALES/p1700000000000200';
const ctx = { now: new Date('2026-11-18T15:00:00Z'), timezone: 'UTC', findMetric: findKpi };

describe('prefillFromMessage', () => {
  it('takes the first activity the message names, and the message with its link as the note', () => {
    const prefill = prefillFromMessage('Great *call* with <https://acme.com|Acme>: they want a demo next week.', LINK);
    expect(prefill.kind).toBe('call');
    expect(prefill.note).toBe(`Great *call* with Acme: they want a demo next week. ${LINK}`);
  });

  it('cuts a long message to fit the note with its link, and guesses nothing from plain chat', () => {
    const prefill = prefillFromMessage(`Notes from today. ${'blah '.repeat(200)}`, LINK);
    expect(prefill.kind).toBeUndefined();
    expect([...prefill.note].length).toBe(MAX_NOTE_CHARS);
    expect(prefill.note.endsWith(`… ${LINK}`)).toBe(true);
    expect(prefillFromMessage('2 meetings booked', null)).toEqual({ kind: 'meeting', note: '2 meetings booked' });
  });
});

describe('parseLogMessage (a DM to the app)', () => {
  it('reads `12 calls` and `log demo Acme` exactly as `/kpi log` reads them', () => {
    expect(parseLogMessage('12 calls', ctx)).toEqual(logSubcommand.parse(commandWords('log calls 12'), ctx));
    expect(parseLogMessage('log demo Acme', ctx)).toEqual(logSubcommand.parse(commandWords('log demo Acme'), ctx));
    expect(parseLogMessage('deal won $12.5k Acme', ctx)).toMatchObject({
      ok: true,
      command: { kind: 'deal_won', quantity: 1, amountCents: 1_250_000, note: 'Acme' },
    });
  });

  it('leaves anything else to help, and explains a `log` it cannot read', () => {
    expect(parseLogMessage('hello there', ctx)).toBeNull();
    expect(parseLogMessage('thanks!', ctx)).toBeNull();
    const unknown = parseLogMessage('log naps 3', ctx);
    expect(unknown?.ok).toBe(false);
    expect(unknown && !unknown.ok && unknown.error).toContain("I don't know the activity “naps”");
    const badCount = parseLogMessage('calls 1.5', ctx);
    expect(badCount?.ok).toBe(false);
  });
});
