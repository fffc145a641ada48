import { readFileSync } from 'node:fs';
import { App } from '@slack/bolt';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeDb } from '../support/db.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * manifest.json (and manifest.dev.json, its Socket Mode twin) against what the real app registers:
 * the whole app is built with Bolt's registration methods spied on, so every command, shortcut,
 * custom step, event and interactive surface a listener is added for, wherever it is added, is
 * compared with what the manifest declares, both ways.
 */

type Manifest = {
  display_information: { name: string };
  features: {
    app_home?: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean; messages_tab_read_only_enabled?: boolean };
    slash_commands?: { command: string; url?: string }[];
    shortcuts?: { callback_id: string; type: 'global' | 'message' }[];
  };
  oauth_config: { redirect_urls?: string[]; scopes: { bot: string[] } };
  settings: {
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    interactivity?: { is_enabled: boolean; request_url?: string; message_menu_options_url?: string };
    socket_mode_enabled?: boolean;
    org_deploy_enabled?: boolean;
  };
  functions?: Record<string, unknown>;
};

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as Manifest;
const MANIFESTS = { 'manifest.json': read('manifest.json'), 'manifest.dev.json': read('manifest.dev.json') };

const METHODS = ['command', 'shortcut', 'function', 'event', 'message', 'action', 'view', 'options'] as const;
type Method = (typeof METHODS)[number];

/** What a registration names: a string id, a `{ callback_id }` / `{ action_id }` constraint, or a pattern. */
function nameOf(first: unknown): string {
  if (typeof first === 'string') return first;
  if (first instanceof RegExp) return first.source;
  if (first && typeof first === 'object') {
    const c = first as { callback_id?: unknown; action_id?: unknown; type?: unknown };
    return String(c.callback_id ?? c.action_id ?? c.type ?? '');
  }
  return ''; // app.message(handler): every message
}

const sorted = (list: Iterable<string>) => [...new Set(list)].sort();

/** The manifest a developer pastes for Socket Mode: the same app, no public URL anywhere. */
function devManifestOf(manifest: Manifest): Manifest {
  const dev = structuredClone(manifest);
  dev.display_information.name = `${manifest.display_information.name} (dev)`;
  for (const command of dev.features.slash_commands ?? []) delete command.url;
  delete dev.oauth_config.redirect_urls;
  delete dev.settings.event_subscriptions?.request_url;
  delete dev.settings.interactivity?.request_url;
  delete dev.settings.interactivity?.message_menu_options_url;
  dev.settings.socket_mode_enabled = true;
  return dev;
}

describeDb('the manifests against what the app registers', () => {
  let h: Harness;
  const registered = new Map<Method, string[]>(METHODS.map((m) => [m, []]));

  beforeAll(async () => {
    for (const method of METHODS) {
      const original = App.prototype[method] as (...args: unknown[]) => unknown;
      vi.spyOn(App.prototype, method).mockImplementation(function (this: App, ...args: unknown[]) {
        registered.get(method)?.push(nameOf(args[0]));
        return original.apply(this, args);
      });
    }
    h = await startHarness();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await h.close();
  });

  const of = (method: Method) => sorted(registered.get(method) ?? []);

  it('registered something of each kind it declares (the spies saw the app being built)', () => {
    expect(of('command').length).toBeGreaterThan(0);
    expect(of('function').length).toBeGreaterThan(0);
    expect(of('event').length).toBeGreaterThan(0);
  });

  describe.each(Object.entries(MANIFESTS))('%s', (_, manifest) => {
    it('declares exactly the slash commands, shortcuts and custom steps the app handles', () => {
      expect(sorted((manifest.features.slash_commands ?? []).map((c) => c.command))).toEqual(of('command'));
      expect(sorted((manifest.features.shortcuts ?? []).map((s) => s.callback_id))).toEqual(of('shortcut'));
      expect(sorted(Object.keys(manifest.functions ?? {}))).toEqual(of('function'));
      // Custom steps need an org-ready app.
      if (of('function').length > 0) expect(manifest.settings.org_deploy_enabled).toBe(true);
    });

    it('subscribes to exactly the events the app handles', () => {
      // `message.im`, `message.channels`… all arrive as `message` events, for app.message or app.event('message').
      const declared = sorted(
        (manifest.settings.event_subscriptions?.bot_events ?? []).map((e) => e.split('.')[0] ?? e),
      );
      const handled = sorted([...of('event'), ...(registered.get('message')?.length ? ['message'] : [])]);
      expect(declared).toEqual(handled);
    });

    it('turns on each interactive surface the app handles, and only those', () => {
      const interactive = ['action', 'view', 'shortcut', 'options'].some((m) => of(m as Method).length > 0);
      expect(manifest.settings.interactivity?.is_enabled ?? false).toBe(interactive);
      const home = manifest.features.app_home;
      expect(home?.home_tab_enabled ?? false).toBe(of('event').includes('app_home_opened'));
      // A writable Messages tab is a promise that a DM gets an answer.
      const answersDms = (manifest.settings.event_subscriptions?.bot_events ?? []).includes('message.im');
      expect(home?.messages_tab_enabled === true && home.messages_tab_read_only_enabled !== true).toBe(answersDms);
    });

    it("is valid against Slack's manifest schema", () => {
      const schema = JSON.parse(
        readFileSync(new URL('../../vendor/slack/manifest.schema.1.0.0.json', import.meta.url), 'utf8'),
      );
      const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
      validate(manifest);
      expect(validate.errors ?? []).toEqual([]);
    });
  });

  it('keeps manifest.dev.json the Socket Mode twin of manifest.json', () => {
    expect(MANIFESTS['manifest.dev.json']).toEqual(devManifestOf(MANIFESTS['manifest.json']));
    expect(JSON.stringify(MANIFESTS['manifest.dev.json'])).not.toMatch(/https?:\/\//);
  });
});
