import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOutboundMessage } from '../../../src/integrations/salesforce/parse.js';
import { outboundMessage } from '../../support/fake-salesforce.js';

const ORG = '00D5w000004qGTOEA2';

const VALID = outboundMessage({
  organizationId: ORG,
  notifications: [
    {
      id: '04l5w00005286hAAAQ',
      sObject: {
        type: 'Opportunity',
        fields: { Id: '0065w000023STAmAAO', Amount: 12500.5, Name: 'A & B', IsWon: true, CloseDate: '2024-05-31' },
      },
    },
    { id: '04l5w00005286hBAAQ', sObject: { type: 'Lead', fields: { Id: '00Q5w00001vYB4kEAG', LeadSource: null } } },
  ],
});

/** The classic "billion laughs": ten levels of ten references, a 3 GB expansion of a 1 kB document. */
function billionLaughs(): string {
  const levels = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 10; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return VALID.replace(
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<?xml version="1.0"?>\n<!DOCTYPE lolz [${levels.join('')}]>`,
  ).replace('<sf:Name>A &amp; B</sf:Name>', '<sf:Name>&lol10;</sf:Name>');
}

function timed<T>(run: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = run();
  return { result, ms: performance.now() - start };
}

describe('hostile XML', () => {
  it('refuses a billion laughs quickly, without expanding anything', () => {
    const { result, ms } = timed(() => parseOutboundMessage(Buffer.from(billionLaughs())));
    expect(result).toEqual({ ok: false, reason: 'DTDs are not accepted' });
    expect(ms).toBeLessThan(50);
  });

  it('refuses a quadratic blow-up (one big entity referenced many times)', () => {
    const xml = VALID.replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY big "${'x'.repeat(50_000)}">]>`,
    ).replace('<sf:Name>A &amp; B</sf:Name>', `<sf:Name>${'&big;'.repeat(50_000)}</sf:Name>`);
    const { result, ms } = timed(() => parseOutboundMessage(Buffer.from(xml)));
    expect(result).toEqual({ ok: false, reason: 'DTDs are not accepted' });
    expect(ms).toBeLessThan(50);
  });

  it('refuses external entities (XXE)', () => {
    const xml = VALID.replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ).replace('<sf:Name>A &amp; B</sf:Name>', '<sf:Name>&xxe;</sf:Name>');
    expect(parseOutboundMessage(Buffer.from(xml))).toEqual({ ok: false, reason: 'DTDs are not accepted' });
  });

  it('decodes XML entities and character references once, and leaves anything else as written', () => {
    const name = 'AT&amp;T &#38; &#x1F600; &amp;#38; &unknown; &nbsp; &#0; &#xD800;';
    const result = parseOutboundMessage(Buffer.from(VALID.replace('A &amp; B', name)));
    expect(result.ok && result.batch.events[0]).toMatchObject({
      fields: { name: 'AT&T & 😀 &#38; &unknown; &nbsp; &#0; &#xD800;' },
    });
  });

  it('refuses element names that would pollute prototypes', () => {
    const xml = VALID.replace('<sf:Name>', '<sf:__proto__>x</sf:__proto__><sf:Name>');
    const result = parseOutboundMessage(Buffer.from(xml));
    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('reads a thousand-level nesting as a refusal, not a stack overflow', () => {
    const xml = `${'<a>'.repeat(1000)}${'</a>'.repeat(1000)}`;
    expect(parseOutboundMessage(Buffer.from(xml)).ok).toBe(false);
  });
});

describe('fuzzing: parseOutboundMessage never throws', () => {
  const neverThrows = (body: Buffer) => {
    const result = parseOutboundMessage(body);
    expect(typeof result.ok).toBe('boolean');
  };

  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => neverThrows(Buffer.from(bytes))),
      {
        numRuns: 500,
      },
    );
  });

  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), (text) => neverThrows(Buffer.from(text))),
      {
        numRuns: 500,
      },
    );
  });

  it('on a real message with a slice replaced by arbitrary XML-ish text', () => {
    const xmlish = fc.string({
      unit: fc.constantFrom(
        '<',
        '>',
        '/',
        '&',
        ';',
        '"',
        '=',
        ':',
        'sf',
        'xsi:nil="true"',
        'Notification',
        'sObject',
        ' ',
        'x',
        '1',
        '.',
        'E',
      ),
      maxLength: 40,
    });
    fc.assert(
      fc.property(fc.nat(VALID.length), fc.nat(60), xmlish, (at, cut, insert) => {
        neverThrows(Buffer.from(VALID.slice(0, at) + insert + VALID.slice(at + cut)));
      }),
      { numRuns: 1000 },
    );
  });

  it('on real messages with arbitrary field values', () => {
    const value = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null));
    const fields = fc.dictionary(
      fc.constantFrom(
        'Id',
        'Amount',
        'CloseDate',
        'CreatedDate',
        'LastModifiedDate',
        'IsWon',
        'IsClosed',
        'Type',
        'OwnerId',
      ),
      value,
    );
    fc.assert(
      fc.property(fc.constantFrom('Opportunity', 'Lead', 'Contact'), fields, (type, f) => {
        neverThrows(
          Buffer.from(
            outboundMessage({
              organizationId: ORG,
              notifications: [{ id: '04l5w00005286hAAAQ', sObject: { type, fields: f } }],
            }),
          ),
        );
      }),
      { numRuns: 500 },
    );
  });
});
