import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES, parseConfig } from '../src/config.js';

/** Read the way `npm start` reads .env (`--env-file-if-exists`): node's own parser. */
const example = parseEnv(readFileSync(new URL('../.env.example', import.meta.url), 'utf8'));
/** Read by docker compose only, to build DATABASE_URL. */
const COMPOSE_ONLY = ['POSTGRES_PASSWORD'];

describe('.env.example', () => {
  it('lists every variable the app reads, and nothing else', () => {
    expect(Object.keys(example).sort()).toEqual([...ENV_VARIABLES, ...COMPOSE_ONLY].sort());
  });

  it('copied as it is and given a bot token and signing secret, is a valid configuration', () => {
    const result = parseConfig({ ...example, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' });
    expect(result).toMatchObject({ ok: true, config: { slack: { mode: 'single' }, port: 3000, logLevel: 'info' } });
  });

  it('is read by npm start when present', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toContain('--env-file-if-exists=.env');
  });
});
