import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { type Database, openDatabase } from '../db/client.js';
import { findKpi } from '../kpi/catalogue.js';
import { storedActor } from '../slack/actor.js';
import type { SlackMessage } from '../slack/blocks/message.js';
import { isCoreCommand, parseKpiCommand, runCoreCommand } from '../slack/subcommands/registry.js';
import { userErrorReply } from '../slack/user-errors.js';
import { writeDemoCharts } from './charts.js';
import { renderMessage } from './render-terminal.js';
import { seedDemoTeam } from './seed.js';
import type { DemoRep } from './team.js';

/**
 * `npm run demo` (entered through main.ts): the product without Slack or a database server. Seeds a demo sales team into the
 * embedded database, answers a few `/kpi` commands with the same functions the Slack app uses, and
 * prints the replies as a rep would see them. `--rep <name>` picks whose view to show. It also draws
 * the weekly board pictures as PNG files into `--out <dir>` (by default a folder in the OS temp dir).
 */

/** Slack team ids start with T, so this workspace never clashes with a real one in a shared DATA_DIR. */
const WORKSPACE_ID = 'DEMO';
const WIDTH = 80;
const CURRENCY = 'USD';

const ROLE_NAMES: Record<DemoRep['role'], string> = { ae: 'account executive', sdr: 'development rep (SDR)' };

export async function runDemo(): Promise<void> {
  const { values } = parseArgs({ options: { rep: { type: 'string' }, out: { type: 'string' } } });
  const outDir = values.out ?? join(tmpdir(), 'kpi-demo-charts');
  const ansi = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const tempDir = process.env.DATA_DIR ? null : mkdtempSync(join(tmpdir(), 'kpi-demo-'));
  const dataDir = process.env.DATA_DIR ?? tempDir;
  // The database and the seed take several seconds: say what is happening from the first moment.
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  print(`Opening the embedded database (PGlite) in ${dataDir}…\n`);
  const database = await openDatabase({ driver: 'pglite', dataDir });
  try {
    const now = new Date();
    print(`Database ready (${elapsed()}). Seeding a demo sales team with 90 days of history:\n`);
    const team = await seedDemoTeam(database.db, {
      workspaceId: WORKSPACE_ID,
      now,
      onProgress: (rows, what) => print(`  ${count(rows).padStart(6)} ${what} (${elapsed()})\n`),
    });
    const rep = chooseRep(team.reps, values.rep);
    print(`Seeded in ${elapsed()}.\n`);
    // A Monday's "this week" is a few hours old; last week shows what a week looks like.
    const week = DateTime.fromJSDate(now, { zone: rep.timezone }).weekday === 1 ? ' last week' : '';
    if (week) print(`It is Monday in ${rep.timezone}, so the weekly views show last week.\n`);
    for (const text of [`me${week}`, `board${week}`, 'board meetings last month', 'explain reach rate']) {
      const heading = `$ /kpi ${text}`;
      print(
        `\n${ansi ? `\x1b[1m${heading}\x1b[22m` : heading}   (as ${rep.name}, ${ROLE_NAMES[rep.role]}, ${rep.timezone})\n`,
      );
      print(`${renderMessage(await reply(database.db, rep, text, now), { width: WIDTH, ansi })}\n`);
    }
    const charts = await writeDemoCharts(database.db, {
      workspaceId: WORKSPACE_ID,
      now,
      timezone: rep.timezone,
      currency: CURRENCY,
      window: { kind: week ? 'last_week' : 'week' },
      outDir,
    });
    print(
      `\nThe weekly board pictures, with the team's trend over ${charts[0]?.input.trend.length ?? 0} weeks:\n` +
        charts.map((c) => `  ${c.file}\n`).join(''),
    );
    const other = team.reps.find((r) => r.role !== rep.role) ?? rep;
    print(
      `\nThe team: ${team.reps.map((r) => r.name).join(', ')}.\n` +
        `For a ${ROLE_NAMES[other.role]}'s view: npm run demo -- --rep "${other.name}"\n`,
    );
  } finally {
    await database.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

/** The reply the Slack app gives `rep` for `/kpi <text>`: the app's own parser and command runner. */
async function reply(db: Database, rep: DemoRep, text: string, now: Date): Promise<SlackMessage> {
  const parsed = parseKpiCommand(text, { now, timezone: rep.timezone, findMetric: findKpi });
  if (!parsed.ok) throw new Error(`"/kpi ${text}" did not parse: ${parsed.error}`);
  const { command } = parsed;
  if (!isCoreCommand(command)) throw new Error(`the demo does not show /kpi ${command.type}`);
  const actor = await storedActor(db, WORKSPACE_ID, rep.userId);
  try {
    return await runCoreCommand({ deps: { db }, actor, triggerId: `demo-${text}`, now }, command);
  } catch (error) {
    // A refusal reads in the demo as Slack would show it.
    const refusal = userErrorReply(error);
    if (refusal) return refusal;
    throw error;
  }
}

/** By any part of the name, accents and case aside ("chloe" finds Chloé Dubois); the first rep by default. */
function chooseRep(reps: readonly DemoRep[], wanted: string | undefined): DemoRep {
  const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const rep = wanted === undefined ? reps[0] : reps.find((r) => fold(r.name).includes(fold(wanted)));
  if (!rep) throw new Error(`No rep matches "${wanted}". The team: ${reps.map((r) => r.name).join(', ')}.`);
  return rep;
}

const count = (n: number) => n.toLocaleString('en-US');

function print(text: string): void {
  process.stdout.write(text);
}
