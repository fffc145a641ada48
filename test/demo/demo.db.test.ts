import { afterAll, beforeAll, expect, it } from 'vitest';
import { isCoreCommand, parseKpiCommand } from '../../src/commands/parse.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { renderMessage } from '../../src/demo/render-terminal.js';
import { type SeededTeam, seedDemoTeam } from '../../src/demo/seed.js';
import { findKpi } from '../../src/kpi/catalogue.js';
import { runKpiCommand } from '../../src/slack/listeners/commands/kpi-actions.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

const NOW = new Date('2026-11-18T17:00:00Z');

/** The offline demo: its seeded team gives every headline KPI a value, rendered readably. */
describeDb('the offline demo', () => {
  let database: DatabaseHandle;
  let team: SeededTeam;
  const workspaceId = newWorkspaceId();

  beforeAll(async () => {
    database = await openTestDatabase();
    team = await seedDemoTeam(database.db, { workspaceId, now: NOW });
  });
  afterAll(async () => database.close());

  async function show(text: string) {
    const rep = team.reps.find((r) => r.role === 'ae') ?? team.reps[0];
    if (!rep) throw new Error('no reps');
    const parsed = parseKpiCommand(text, { now: NOW, timezone: rep.timezone, findMetric: findKpi });
    if (!parsed.ok || !isCoreCommand(parsed.command)) throw new Error(text);
    const message = await runKpiCommand(
      { db: database.db },
      {
        workspaceId,
        userId: rep.userId,
        timezone: rep.timezone,
        currency: 'USD',
        isOptedOut: false,
        triggerId: text,
        now: NOW,
      },
      parsed.command,
    );
    return renderMessage(message, { width: 100, ansi: false });
  }

  it('seeds a realistic team with about 90 days of activity', () => {
    expect(team.reps.length).toBeGreaterThanOrEqual(10);
    expect(team.rows.activities).toBeGreaterThan(5_000);
    expect(team.rows.deals).toBeGreaterThan(100);
  });

  it('shows a scorecard with every headline figure computed, none missing', async () => {
    const out = await show('me last week');
    expect(out).toContain('Your scorecard');
    for (const label of ['Revenue', 'Win rate', 'Quota attainment', 'Reach rate']) expect(out).toContain(label);
    expect(out).not.toMatch(/[*]\w/);
    expect(out).not.toContain('&lt;');
  });

  it('shows a board without the bottom at zero and without the rep who opted out', async () => {
    const out = await show('board last week');
    expect(out).toContain('Revenue');
    expect(out).not.toMatch(/: \$0\b/);
    const hidden = team.reps.find((r) => r.optedOut);
    if (hidden) expect(out).not.toContain(hidden.name);
  });

  it('explains a figure with its benchmark', async () => {
    const out = await show('explain reach rate');
    expect(out).toContain('Industry benchmark');
  });
});
