import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ACTIONS, BOT_SCOPES, COMMAND, EVENTS, SHORTCUTS } from '../src/slack/ids.js';

const manifest = JSON.parse(readFileSync('manifest.json', 'utf8'));
// A copy kept in the repository (vendor/slack/README.md says where from), so a fresh clone tests offline.
const schemaPath = new URL('../vendor/slack/manifest.schema.1.0.0.json', import.meta.url);

describe('manifest.json', () => {
  it("is valid against Slack's published manifest schema", () => {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('declares every command, scope and event the code uses, and nothing it does not', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([COMMAND]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...EVENTS].sort());
    const shortcuts = manifest.features.shortcuts.map((s: { type: string; callback_id: string }) => [
      s.type,
      s.callback_id,
    ]);
    expect(shortcuts).toEqual([
      ['global', SHORTCUTS.logActivity],
      ['message', SHORTCUTS.logMessage],
    ]);
  });

  it('sends interactivity (the Undo button) to the same endpoint as commands and events', () => {
    expect(Object.keys(ACTIONS).length).toBeGreaterThan(0);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.features.slash_commands[0].url).toMatch(/\/slack\/events$/);
  });

  it('keeps the code-side lists in line with what the listeners register', () => {
    const listeners = readFileSync('src/slack/listeners/index.ts', 'utf8');
    for (const event of EVENTS) expect(listeners).toContain(`'${event}'`);
  });
});
