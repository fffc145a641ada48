import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { createLogger } from '../../src/lib/logger.js';
import { describeDb } from '../support/db.js';
import { RESPONSE_URL } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';
import { sendGenericWebhook } from '../support/webhooks.js';
import { enqueueBoardPost } from './ops-support.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

type Line = Record<string, unknown> & { level: number; msg: string };
const INFO = 30;
const ERROR = 50;

describeDb('logs an operator can follow, through the running app', () => {
  let h: Harness;
  const lines: Line[] = [];
  const logged = (msg: string) => lines.filter((l) => l.msg === msg);

  async function until<T>(find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > end) throw new Error('no such log line');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(async () => {
    const logger = createLogger('info', { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) });
    // The deliver job sends the post here, so its pass runs inside the job.
    h = await startHarness({ logger, crm: parseCrmConfig({ WEBHOOK_SECRET: SECRET }, []), deliverOnCommit: false });
    h.addUser('UANA', { name: 'Ana Lima' });
  });
  afterAll(async () => h.close());

  it('writes one info line per command: request id, workspace, user, subcommand, outcome, duration; not the text', async () => {
    lines.length = 0;
    await h.kpi('UANA', 'log deal won $12.5k Acme Secret Project');
    const line = await until(() => logged('slack command handled')[0]);
    expect(logged('slack command handled')).toHaveLength(1);
    expect(line).toMatchObject({
      level: INFO,
      workspace: h.teamId,
      user: 'UANA',
      kind: 'command',
      name: '/kpi',
      subcommand: 'log',
      outcome: 'ok',
    });
    expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(line.durationMs).toBeTypeOf('number');
    const all = JSON.stringify(lines);
    expect(all).not.toContain('Secret Project');
    expect(all).not.toContain('Ana Lima');
  });

  it('carries the request id into the error log of a command that failed', async () => {
    lines.length = 0;
    // Slack fails the modal's opening, which the listener does not expect (nor can the apology be delivered).
    h.addUser('UMGR', { name: 'Maya', isAdmin: true });
    h.fake.failNext('views.open', { error: 'internal_error' });
    h.fake.failNext(RESPONSE_URL, { status: 500 });
    expect(await h.postCommand('UMGR', 'contest new')).toBe(200);
    const info = await until(() => logged('slack command handled')[0]);
    const error = await until(() => logged('error in a listener')[0]);
    expect(info.outcome).toBe('error');
    expect(error.level).toBe(ERROR);
    expect(error.requestId).toBe(info.requestId);
    expect(error.workspace).toBe(h.teamId);
  });

  it('writes one info line per webhook batch, job run and delivery pass', async () => {
    lines.length = 0;
    const body = {
      events: [
        {
          id: 'e1',
          type: 'deal',
          occurred_at: '2026-11-16T10:00:00Z',
          deal: { id: 'D1', name: 'Acme', stage: 'open' },
        },
      ],
    };
    expect(await sendGenericWebhook(h, 'msg_1', body, SECRET)).toBe(200);
    const batch = await until(() => logged('webhook batch')[0]);
    expect(batch).toMatchObject({ level: INFO, crm: 'generic', workspace: h.teamId, outcome: 'stored', stored: 1 });
    expect(batch.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(batch.durationMs).toBeTypeOf('number');
    expect(JSON.stringify(batch)).not.toContain('Acme');

    await enqueueBoardPost(h, 'log:1', 'CLOG');
    await h.bot.runJob('deliver', h.clock.now);
    const job = await until(() => logged('job ran').find((l) => l.job === 'deliver'));
    expect(job).toMatchObject({ level: INFO, outcome: 'ok', sent: 1 });
    expect(job.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.durationMs).toBeTypeOf('number');
    const pass = await until(() => logged('delivery pass').find((l) => l.sent === 1));
    expect(pass).toMatchObject({ level: INFO, outcome: 'ok' });
    // The pass ran inside the job: its line carries the job's id.
    expect(pass.requestId).toBe(job.requestId);
  });
});
