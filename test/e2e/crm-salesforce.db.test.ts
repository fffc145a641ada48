import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { describeDb } from '../support/db.js';
import {
  type FakeSalesforce,
  type OutboundNotification,
  outboundMessage,
  type SalesforceValue,
  startFakeSalesforce,
} from '../support/fake-salesforce.js';
import { type Harness, startHarness } from '../support/harness.js';
import {
  addRep,
  dealRecord,
  entrySummary,
  inboxRows,
  postWebhook,
  stageHistory,
  storedEventCount,
} from '../support/webhooks.js';

const ORG = '00D5w000004qGTOEA2';
const TOKEN = 'Zk3v9QmR7tLp2XwB8nYc4HdJ6sGf';
const OWNER = { Id: '0055w00000FzKqLAAV', Email: 'ana@acme.test', Name: 'Ana Lopez' };
const OPPORTUNITY = '0065w000023STAmAAO';

/** Salesforce's acknowledgement: anything else makes it resend the message. */
const ACK =
  /^<\?xml version="1\.0" encoding="UTF-8"\?><soapenv:Envelope xmlns:soapenv="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/"><soapenv:Body><notificationsResponse xmlns="http:\/\/soap\.sforce\.com\/2005\/09\/outbound"><Ack>true<\/Ack><\/notificationsResponse><\/soapenv:Body><\/soapenv:Envelope>$/;

/** A SOAP 1.1 fault with this code and reason. */
const fault = (code: 'Client' | 'Server', reason: string) =>
  `<soapenv:Fault><faultcode>soapenv:${code}</faultcode><faultstring>${reason}</faultstring></soapenv:Fault>`;

/** An Opportunity notification; the notification id (`04l…`) is what Salesforce repeats on every retry. */
const opportunity = (id: string, fields: Record<string, SalesforceValue>): OutboundNotification => ({
  id,
  sObject: { type: 'Opportunity', fields: { Id: OPPORTUNITY, ...fields } },
});

/** The fields an admin typically sends: the whole record, the owner only as an id. */
const OPEN = {
  Name: 'Initech platform',
  Amount: 45000.5,
  StageName: 'Prospecting',
  IsClosed: false,
  IsWon: false,
  CloseDate: '2026-12-15',
  CreatedDate: '2026-11-16T10:00:00.000Z',
  LastModifiedDate: '2026-11-16T10:00:00.000Z',
  OwnerId: OWNER.Id,
};
const WON = {
  ...OPEN,
  StageName: 'Closed Won',
  IsClosed: true,
  IsWon: true,
  CloseDate: '2026-11-17',
  LastModifiedDate: '2026-11-17T15:20:00.000Z',
};

/** The billion laughs: ten levels of ten entity references, gigabytes if anything expanded it. */
function billionLaughs(xml: string): string {
  const levels = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 10; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return xml
    .replace('<?xml version="1.0" encoding="UTF-8"?>', `<?xml version="1.0"?>\n<!DOCTYPE lolz [${levels.join('')}]>`)
    .replace('<sf:Name>Bomb</sf:Name>', '<sf:Name>&lol10;</sf:Name>');
}

describeDb('CRM webhooks end to end: Salesforce outbound messages', () => {
  let h: Harness;
  let salesforce: FakeSalesforce;

  /** POSTs a SOAP message as Salesforce does; the token travels in the endpoint URL. */
  async function send(xml: string, o: { token?: string | null } = {}) {
    const token = o.token === undefined ? TOKEN : o.token;
    const path = token === null ? '/webhooks/salesforce' : `/webhooks/salesforce?token=${encodeURIComponent(token)}`;
    return postWebhook(h, path, xml, { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' });
  }

  const message = (notifications: OutboundNotification[], organizationId = ORG) =>
    outboundMessage({ organizationId, notifications });

  /** Asserts the answer is a SOAP fault with this status, code and reason. */
  function expectFault(answer: { status: number; contentType: string; text: string }, status: number, reason: string) {
    expect(answer.status).toBe(status);
    expect(answer.contentType).toBe('text/xml; charset=utf-8');
    expect(answer.text).toContain(fault(status >= 500 ? 'Server' : 'Client', reason));
  }

  beforeAll(async () => {
    salesforce = await startFakeSalesforce();
    const problems: string[] = [];
    const crm = parseCrmConfig(
      {
        SALESFORCE_ORGANIZATION_ID: ORG,
        SALESFORCE_WEBHOOK_TOKEN: TOKEN,
        SALESFORCE_ACCESS_TOKEN: salesforce.accessToken,
        SALESFORCE_INSTANCE_URL: salesforce.instanceUrl,
      },
      problems,
    );
    expect(problems).toEqual([]);
    h = await startHarness({ crm });
    addRep(h, 'UANA', OWNER.Email, 'Ana');
    salesforce.addUser(OWNER);
  });
  afterAll(async () => {
    await h?.close();
    await salesforce?.close();
  });

  it('acknowledges an open then won Opportunity, and counts it once for the owner found through the API', async () => {
    const open = await send(message([opportunity('04l5w00005286hAAAQ', OPEN)]));
    expect(open.status).toBe(200);
    expect(open.contentType).toBe('text/xml; charset=utf-8');
    expect(open.text).toMatch(ACK);
    await h.bot.crm.idle();
    expect((await dealRecord(h, 'salesforce', OPPORTUNITY)).deal).toMatchObject({ status: 'open', closedAt: null });

    const won = await send(message([opportunity('04l5w00005286hBAAQ', WON)]));
    expect(won.status).toBe(200);
    expect(won.text).toMatch(ACK);
    await h.bot.crm.idle();

    const { deal, stages, entries } = await dealRecord(h, 'salesforce', OPPORTUNITY);
    expect(deal).toMatchObject({
      name: 'Initech platform',
      amountCents: 4_500_050,
      stage: 'Closed Won',
      status: 'won',
      ownerUserId: 'UANA',
      crmOwnerId: OWNER.Id,
    });
    expect(deal?.openedAt.toISOString()).toBe('2026-11-16T10:00:00.000Z');
    // A CloseDate has no time zone: it is placed at noon UTC, the same calendar day from UTC-11 to UTC+11.
    expect(deal?.closedAt?.toISOString()).toBe('2026-11-17T12:00:00.000Z');
    expect(stageHistory(stages)).toEqual([
      [null, 'Prospecting', '2026-11-16T10:00:00.000Z'],
      ['Prospecting', 'Closed Won', '2026-11-17T15:20:00.000Z'],
    ]);
    expect(entries.map(entrySummary)).toEqual([
      {
        kind: 'deal_won',
        userId: 'UANA',
        quantity: 1,
        amountCents: 4_500_050,
        occurredAt: '2026-11-17T12:00:00.000Z',
        source: 'salesforce',
        reverses: null,
      },
    ]);
    // The message carries only the OwnerId: the owner's email came from one SOQL query, then Slack.
    const queries = salesforce.calls.filter((c) => c.path.endsWith('/query'));
    expect(queries.map((c) => [c.status, c.search.get('q')])).toEqual([
      [200, `SELECT Id, Email, Name FROM User WHERE Id IN ('${OWNER.Id}')`],
    ]);
    // The record was complete, so no Opportunity was read from the API.
    expect(salesforce.calls.filter((c) => c.path.includes('/sobjects/Opportunity'))).toEqual([]);
  });

  it('stores a retried notification (same notification Id) once, and still acknowledges it', async () => {
    const retried = message([opportunity('04l5w00005286hBAAQ', WON)]);
    const before = await storedEventCount(h);
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await send(retried);
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(ACK);
    }
    await h.bot.crm.idle();
    expect(await storedEventCount(h)).toBe(before);
    expect(await inboxRows(h, 'salesforce', ['04l5w00005286hBAAQ'])).toEqual([
      { eventId: '04l5w00005286hBAAQ', status: 'applied', waitingFor: null, attempts: 1 },
    ]);
    const { entries } = await dealRecord(h, 'salesforce', OPPORTUNITY);
    expect(entries.map((e) => [e.kind, e.amountCents])).toEqual([['deal_won', 4_500_050]]);
  });

  it('refuses a missing or wrong token with 401 and a SOAP fault, storing nothing', async () => {
    const xml = message([opportunity('04l5w00005286hCAAQ', { ...WON, Amount: 1 })]);
    const before = await storedEventCount(h);
    expectFault(await send(xml, { token: null }), 401, 'missing token');
    expectFault(await send(xml, { token: 'Zk3v9QmR7tLp2XwB8nYc4HdJ6sGg' }), 401, 'wrong token');
    expectFault(await send(xml, { token: '' }), 401, 'wrong token');
    expect(await storedEventCount(h)).toBe(before);
  });

  it('refuses a message from another organization with 401, even with the right token', async () => {
    const before = await storedEventCount(h);
    const otherOrg = message([opportunity('04l5w00005286hDAAQ', WON)], '00D5w000004qGTPEA2');
    expectFault(await send(otherOrg), 401, 'wrong organization');
    expect(await storedEventCount(h)).toBe(before);
  });

  it('answers malformed XML with 400 and a SOAP fault saying why', async () => {
    const before = await storedEventCount(h);
    const whole = message([opportunity('04l5w00005286hEAAQ', WON)]);
    const truncated = whole.slice(0, whole.indexOf('</notifications>'));
    const answer = await send(truncated);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('text/xml; charset=utf-8');
    expect(answer.text).toContain('<faultcode>soapenv:Client</faultcode><faultstring>not well-formed XML');
    expect(await storedEventCount(h)).toBe(before);
  });

  it('answers an XML bomb with 400 quickly, expanding nothing', async () => {
    const before = await storedEventCount(h);
    const bomb = billionLaughs(message([opportunity('04l5w00005286hFAAQ', { ...WON, Name: 'Bomb' })]));
    expect(bomb).toContain('&lol10;');
    const started = performance.now();
    const answer = await send(bomb);
    const elapsed = performance.now() - started;
    expectFault(answer, 400, 'DTDs are not accepted');
    expect(elapsed).toBeLessThan(1000);
    expect(await storedEventCount(h)).toBe(before);
  });
});
