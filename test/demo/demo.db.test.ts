import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { writeDemoCharts } from '../../src/demo/charts.js';
import { renderMessage } from '../../src/demo/render-terminal.js';
import { type SeededTeam, seedDemoTeam } from '../../src/demo/seed.js';
import { findKpi } from '../../src/kpi/catalogue.js';
import { storedActor } from '../../src/slack/actor.js';
import { isCoreCommand, parseKpiCommand, runCoreCommand } from '../../src/slack/subcommands/registry.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

const NOW = new Date('2026-11-18T17:00:00Z');

/** The offline demo: its seeded team gives every headline KPI a value, rendered readably. */
describeDb('the offline demo', () => {
  let database: DatabaseHandle;
  let team: SeededTeam;
  const progress: [number, string][] = [];
  const workspaceId = newWorkspaceId();

  beforeAll(async () => {
    database = await openTestDatabase();
    team = await seedDemoTeam(database.db, {
      workspaceId,
      now: NOW,
      onProgress: (n, what) => progress.push([n, what]),
    });
  });
  afterAll(async () => database.close());

  async function show(text: string) {
    const rep = team.reps.find((r) => r.role === 'ae') ?? team.reps[0];
    if (!rep) throw new Error('no reps');
    const parsed = parseKpiCommand(text, { now: NOW, timezone: rep.timezone, findMetric: findKpi });
    if (!parsed.ok || !isCoreCommand(parsed.command)) throw new Error(text);
    const actor = await storedActor(database.db, workspaceId, rep.userId);
    const message = await runCoreCommand(
      { deps: { db: database.db }, actor, triggerId: text, now: NOW },
      parsed.command,
    );
    return renderMessage(message, { width: 100, ansi: false });
  }

  it('seeds a realistic team with about 90 days of activity', () => {
    expect(team.reps.length).toBeGreaterThanOrEqual(10);
    expect(team.rows.activities).toBeGreaterThan(5_000);
    expect(team.rows.deals).toBeGreaterThan(100);
  });

  it('reports its progress step by step, ending with what it stored', async () => {
    expect(progress.map(([, what]) => what)).toEqual([
      'reps',
      'customers',
      'deals, with their stages, demos and proposals',
      'leads, with their touchpoints',
      'activity entries in all',
      'spend entries and revenue goals',
    ]);
    const [stored] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from activities where workspace_id = ${workspaceId}`,
    );
    expect(progress[4]?.[0]).toBe(stored?.n);
    expect(stored?.n).toBe(team.rows.activities);
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

  it('draws the weekly board pictures, with the team trend over the seeded weeks, as PNG files', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'kpi-demo-charts-'));
    try {
      const charts = await writeDemoCharts(database.db, {
        workspaceId,
        now: NOW,
        timezone: 'America/New_York',
        currency: 'USD',
        window: { kind: 'last_week' },
        outDir,
      });
      expect(charts.map((c) => basename(c.file))).toEqual(['board-revenue.png', 'board-meetings.png']);
      const hidden = team.reps.filter((r) => r.optedOut).map((r) => r.name);
      for (const { file, input } of charts) {
        const png = readFileSync(file);
        expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        expect(input.title).toContain('Last week (Mon 9 Nov – Sun 15 Nov)');
        expect(input.bars.length).toBeGreaterThan(0);
        expect(input.bars.length).toBeLessThanOrEqual(5);
        expect(input.bars[0]?.label).toMatch(/^1\. /);
        for (const name of hidden) expect(input.bars.map((b) => b.label).join()).not.toContain(name);
        // 13 weeks, the last being the board's week; every full seeded week has activity.
        expect(input.trend).toHaveLength(13);
        expect(input.trend.at(-1)?.label).toBe('Nov 9');
        expect(input.trend.slice(1).every((p) => p.value > 0)).toBe(true);
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
