import { describe, expect, it } from 'vitest';
import { applyRecognitionSetting, type Recognition } from '../../src/recognition/recognition-settings.js';
import { recognitionMessage } from '../../src/slack/blocks/recognition.blocks.js';
import { validateBlocks } from '../support/fake-slack.js';

describe('recognitionMessage', () => {
  const base = { userId: 'UANA', dealName: 'Acme renewal', deals: 1, amountCents: 1_250_000, currency: 'USD' };

  it('tags the rep and shows the deal and the amount', () => {
    const message = recognitionMessage(base);
    expect(message.text).toBe(':tada: <@UANA> just won *Acme renewal* worth *$12,500*!');
    expect(validateBlocks(message.blocks, '/blocks', 50)).toEqual([]);
  });

  it('says "a deal" without a name and leaves out a hidden or zero amount', () => {
    expect(recognitionMessage({ ...base, dealName: null, amountCents: null }).text).toBe(
      ':tada: <@UANA> just won a deal!',
    );
    expect(recognitionMessage({ ...base, dealName: null, deals: 2 }).text).toBe(
      ':tada: <@UANA> just won 2 deals worth *$12,500*!',
    );
    expect(recognitionMessage({ ...base, amountCents: 0 }).text).toBe(':tada: <@UANA> just won *Acme renewal*!');
    expect(recognitionMessage({ ...base, currency: 'EUR', amountCents: 99_50 }).text).toContain('€99.50');
  });

  it('cannot be made to ping the channel or inject markup by a deal name', () => {
    const message = recognitionMessage({ ...base, dealName: '<!channel> @here <https://evil.test|click> & co' });
    expect(message.text).not.toMatch(/<!|@here|<https/);
    expect(message.text).toContain('&lt;!channel&gt; here &lt;https://evil.test|click&gt; &amp; co');
  });

  it('keeps a very long deal name short and within Block Kit limits', () => {
    const message = recognitionMessage({ ...base, dealName: 'x'.repeat(5000) });
    expect(message.text.length).toBeLessThan(200);
    expect(validateBlocks(message.blocks, '/blocks', 50)).toEqual([]);
  });
});

describe('applyRecognitionSetting', () => {
  const current: Recognition = { channelId: 'C1', showAmount: true, showDealName: true };

  it('changes exactly the setting named', () => {
    expect(applyRecognitionSetting(current, { kind: 'channel', channelId: 'C2' })).toEqual({
      ...current,
      channelId: 'C2',
    });
    expect(applyRecognitionSetting(current, { kind: 'off' })).toEqual({ ...current, channelId: null });
    expect(applyRecognitionSetting(current, { kind: 'hide_amount' })).toEqual({ ...current, showAmount: false });
    expect(applyRecognitionSetting(current, { kind: 'hide_deal_names' })).toEqual({ ...current, showDealName: false });
    const hidden = { channelId: null, showAmount: false, showDealName: false };
    expect(applyRecognitionSetting(hidden, { kind: 'show_amount' })).toEqual({ ...hidden, showAmount: true });
    expect(applyRecognitionSetting(hidden, { kind: 'show_deal_names' })).toEqual({ ...hidden, showDealName: true });
  });
});
