import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * No container engine runs here, so compose.yaml is checked as data: what the README promises of
 * it (health checks, a named volume, .env, migrations once before the app) and that everything it
 * names exists (the Dockerfile's stages, the CLI entry, the readiness route, .env.example's keys).
 */
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; target: string };
  env_file?: string | string[];
  environment?: Record<string, string>;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
}

const compose = parse(read('compose.yaml')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { db, migrate, app } = compose.services;

describe('compose.yaml', () => {
  it('runs PostgreSQL and the app, each with a health check, the database on a named volume', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'db', 'migrate']);
    expect(db?.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(app?.healthcheck?.test.join(' ')).toContain('/readyz');
    const [volume] = (db?.volumes ?? [])[0]?.split(':') ?? [];
    expect(compose.volumes).toHaveProperty(volume ?? '');
  });

  it('reads settings from .env, and .env.example names every variable the file interpolates', () => {
    expect(app?.env_file).toBe('.env');
    expect(migrate?.env_file).toBe('.env');
    const interpolated = new Set([...read('compose.yaml').matchAll(/\$\{(\w+)/g)].map((m) => m[1]));
    const example = read('.env.example');
    for (const name of interpolated) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
    expect(read('.gitignore')).toMatch(/^\.env$/m);
  });

  it('migrates once, with the CLI, before the app starts', () => {
    expect(migrate?.command).toEqual(['dist/cli/main.js', 'db', 'migrate']);
    expect(existsSync(new URL('src/cli/main.ts', root))).toBe(true);
    expect(app?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(app?.depends_on?.db?.condition).toBe('service_healthy');
    expect(migrate?.depends_on?.db?.condition).toBe('service_healthy');
    // Both run the one image built once from the Dockerfile's PostgreSQL-only stage.
    expect(migrate?.image).toBe(app?.image);
    expect(read('Dockerfile')).toMatch(new RegExp(`^FROM \\S+ AS ${migrate?.build?.target}$`, 'm'));
  });

  it('publishes the app on loopback only, for a reverse proxy in front', () => {
    expect(app?.ports).toEqual(['127.0.0.1:${PORT:-3000}:3000']);
  });
});
