import { describe, expect, it } from 'vitest';
import { secretScrubber } from '../../src/lib/scrub.js';

describe('secretScrubber', () => {
  const scrub = secretScrubber(['client"secret\\1', 'signing-secret-42', 'x']);

  it('removes configured values however the line spells them', () => {
    const body = JSON.stringify({ client_secret: 'client"secret\\1', code: 'c' });
    const line = JSON.stringify({ msg: `http request body: ${body}`, url: '/a?s=signing-secret-42' });
    expect(scrub(line)).toBe(
      JSON.stringify({
        msg: 'http request body: {"client_secret":"[redacted]","code":"c"}',
        url: '/a?s=[redacted]',
      }),
    );
    expect(scrub(encodeURIComponent('client"secret\\1'))).toBe('[redacted]');
  });

  it('removes tokens by their shape, and credentials in parameters and Authorization values', () => {
    const out = scrub(
      'xoxb-1-2-abc xoxe.xoxp-1-abc xoxe-1-refresh xapp-1-A-1 whsec_MfKQ9r8GKY= pat-na1-0b1c2d3e-aaaa ' +
        '/webhooks/salesforce/1?token=sf_tok-1&x=1 Bearer abc.def Basic dXNlcjpwYXNz',
    );
    expect(out).toBe(
      '[redacted] [redacted] [redacted] [redacted] [redacted] [redacted] ' +
        '/webhooks/salesforce/1?token=[redacted]&x=1 Bearer [redacted] Basic [redacted]',
    );
  });

  it('leaves ordinary text alone, short configured values included', () => {
    expect(scrub('{"msg":"next: x marks the spot"}')).toBe('{"msg":"next: x marks the spot"}');
  });
});
