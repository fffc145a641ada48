import { describe, expect, it } from 'vitest';
import { resolveWindow } from '../../src/kpi/windows.js';
import type { KudosBoard } from '../../src/kudos/kudos-board.js';
import { kudosBoardMessage, kudosMessage, privateKudosMessage } from '../../src/slack/blocks/kudos.blocks.js';
import { type ParseResult, parseKpiCommand } from '../../src/slack/subcommands/registry.js';
import type { ParseContext } from '../../src/slack/subcommands/words.js';
import { validateBlocks } from '../support/fake-slack.js';

const ctx: ParseContext = {
  now: new Date('2026-11-18T19:00:00Z'),
  timezone: 'America/New_York',
  findMetric: (name) => (name === 'calls' ? { key: 'calls' } : undefined),
};
const parse = (text: string): ParseResult => parseKpiCommand(text, ctx);

describe('parsing /kpi kudos and /kpi recognition', () => {
  it('reads the person from Slack’s escaped mention and the reason after it', () => {
    expect(parse('kudos <@UBEN|ben> for covering   my demo')).toEqual({
      ok: true,
      command: { type: 'kudos', action: 'give', receiverId: 'UBEN', reason: 'for covering my demo' },
    });
    expect(parse('kudos <@W0ABC> thanks <@UCAT|cat> too')).toMatchObject({
      ok: true,
      command: { receiverId: 'W0ABC', reason: 'thanks cat too' },
    });
  });

  it('asks for a person and for a reason, in friendly words', () => {
    const noPerson = parse('kudos great call');
    expect(noPerson.ok === false && noPerson.error).toContain('Who would you like to thank?');
    const typedName = parse('kudos @ben great call');
    expect(typedName.ok === false && typedName.error).toContain('Pick them from the list');
    const noReason = parse('kudos <@UBEN|ben>  ');
    expect(noReason.ok === false && noReason.error).toContain('Say what you are thanking them for');
    const tooLong = parse(`kudos <@UBEN|ben> ${'x'.repeat(300)}`);
    expect(tooLong.ok === false && tooLong.error).toContain('300 characters');
  });

  it('reads the kudos board both ways, with an optional window', () => {
    const board = { ok: true, command: { type: 'kudos', action: 'board', window: { kind: 'week' } } };
    expect(parse('kudos board')).toEqual(board);
    expect(parse('board kudos')).toEqual(board);
    expect(parse('board kudos last month')).toEqual({
      ...board,
      command: { ...board.command, window: { kind: 'last_month' } },
    });
    expect(parse('board calls')).toMatchObject({ ok: true, command: { type: 'board', metric: 'calls' } });
  });

  it('reads recognition settings, and a channel only from Slack’s escaped mention', () => {
    expect(parse('recognition <#C0WINS|wins>')).toEqual({
      ok: true,
      command: { type: 'recognition', setting: { kind: 'channel', channelId: 'C0WINS' } },
    });
    expect(parse('recognition')).toMatchObject({ ok: true, command: { setting: { kind: 'status' } } });
    expect(parse('recognition OFF')).toMatchObject({ ok: true, command: { setting: { kind: 'off' } } });
    expect(parse('recognition hide  amounts')).toMatchObject({
      ok: true,
      command: { setting: { kind: 'hide_amount' } },
    });
    expect(parse('recognition show deal names')).toMatchObject({
      ok: true,
      command: { setting: { kind: 'show_deal_names' } },
    });
    const plain = parse('recognition #wins');
    expect(plain.ok === false && plain.error).toContain('Pick the channel from the list');
    const junk = parse('recognition <!here> loudly');
    expect(junk.ok === false && junk.error).not.toContain('<!here>');
  });
});

describe('kudos messages', () => {
  it('tags giver and receiver, and escapes the reason', () => {
    const message = kudosMessage({ giverId: 'UANA', receiverId: 'UBEN', reason: 'the <!channel> & @everyone demo' });
    expect(message.text).toBe(':raised_hands: <@UANA> gave kudos to <@UBEN>: the &lt;!channel&gt; &amp; everyone demo');
    expect(validateBlocks(message.blocks, '/blocks', 50)).toEqual([]);
    expect(privateKudosMessage({ giverId: 'UANA', reason: 'x' }).text).toBe(':raised_hands: <@UANA> gave you kudos: x');
  });

  it('shows the board with shared places, plain names and the viewer’s own tally', () => {
    const window = resolveWindow({ kind: 'week' }, ctx.now, ctx.timezone);
    const tally = (name: string, kudos: number, reactions: number, rank: number) => ({
      userId: `U${name}`,
      name,
      kudos,
      reactions,
      total: kudos + reactions,
      rank,
    });
    const board: KudosBoard = {
      entries: [tally('Ben', 2, 1, 1), tally('Cat', 2, 0, 2), tally('Dan', 1, 1, 2), tally('<Eve>', 1, 0, 4)],
      viewer: { userId: 'UFAY', name: 'Fay', kudos: 0, reactions: 1, total: 1 },
    };
    const message = kudosBoardMessage(board, window);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain(':first_place_medal: Ben: *3* (2 kudos, 1 reaction)');
    expect(shown).toContain(':second_place_medal: Cat: *2* (2 kudos, 0 reactions)');
    expect(shown).toContain(':second_place_medal: Dan: *2*');
    expect(shown).toContain('4. &lt;Eve&gt;: *1*');
    expect(shown).toContain('You received 1 (0 kudos, 1 reaction)');
    expect(shown).not.toContain('<@');
    expect(validateBlocks(message.blocks, '/blocks', 50)).toEqual([]);
    const empty = kudosBoardMessage({ entries: [], viewer: null }, window);
    expect(empty.text).toMatch(/^Kudos: This week/);
    expect(JSON.stringify(empty.blocks)).toContain('No kudos yet in this window');
  });
});
