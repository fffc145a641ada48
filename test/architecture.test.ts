import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies point one way: domain → application → Slack. Each file gets a layer from where it
 * sits and what it is; an import may only point to its own layer or one below. Like the manifest
 * test does for ids, this reads the source, so a wrong-way import fails here, not in review.
 */

const LAYERS = ['base', 'domain', 'read model', 'blocks', 'application', 'slack', 'listeners', 'entry'] as const;
type Layer = (typeof LAYERS)[number];

/** Shared plumbing every layer may use, and the configuration the entry parses. */
const BASE = new Set(['lib', 'db', 'config.ts', 'ops']);
const CONFIG_SCHEMA = /-config\.ts$/;
/** Read models that combine several domains (the scorecard, the Home) sit above all of them. */
const READ_MODELS = new Set(['scorecard', 'home']);
/**
 * Use cases: they write a feature's rows and queue the post that tells of them, in one transaction
 * (so they may build Block Kit), or they run one. Repositories below them only write rows.
 */
const USE_CASES = new Set([
  'src/kudos/give-kudos.ts',
  'src/recognition/celebrations.ts',
  'src/integrations/processor.ts',
  'src/integrations/crm-runner.ts',
  'src/integrations/crm-service.ts',
]);
/** Process entry points and wiring: they may use everything. */
const ENTRY = new Set(['app.ts', 'main.ts', 'cli', 'demo']);

/** `src/slack/blocks/x.ts` → `slack/blocks`; `src/kpi/x.ts` → `kpi`; `src/app.ts` → `app.ts`. */
function folderOf(file: string): string {
  const parts = file.split('/').slice(1);
  if (parts[0] === 'slack' && parts.length > 2) return `slack/${parts[1]}`;
  return parts[0] ?? file;
}

function layerOf(file: string): Layer {
  const folder = folderOf(file);
  const top = folder.split('/')[0] ?? folder;
  if (ENTRY.has(top)) return 'entry';
  // The job contract is plumbing too: feature jobs implement it, and jobs/catalog.ts lists them.
  if (BASE.has(top) || CONFIG_SCHEMA.test(file) || file === 'src/jobs/job.ts') return 'base';
  if (folder === 'slack/listeners') return 'listeners';
  // Slack's identifiers sit with the Block Kit that names them.
  if (folder === 'slack/blocks' || file === 'src/slack/ids.ts') return 'blocks';
  if (top === 'slack') return 'slack';
  // A feature folder keeps its scheduled job beside its domain code; the job sits above rendering.
  if (top === 'jobs' || file.endsWith('.job.ts') || USE_CASES.has(file)) return 'application';
  if (READ_MODELS.has(top)) return 'read model';
  return 'domain';
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

interface Import {
  from: string;
  /** A file under src/ for a relative import, else the package name. */
  to: string;
  /** What is imported, as written between `import` and `from`. */
  names: string;
}

const IMPORT = /^\s*(?:import|export)\s((?:type\s)?[^'";]*?)\sfrom\s+'([^']+)'/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = match[2] ?? '';
    const to = specifier.startsWith('.')
      ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts')
      : specifier;
    return { from: file, to, names: match[1] ?? '' };
  });
}

const edge = (i: Import) => `${i.from} → ${i.to}`;

const files = sourceFiles('src');
const imports = files.flatMap(importsOf);
const local = imports.filter((i) => i.to.startsWith('src/'));
const rank = (file: string) => LAYERS.indexOf(layerOf(file));

describe('import directions', () => {
  it('finds the source and its imports', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(local.length).toBeGreaterThan(500);
    for (const i of local) expect(files, `${i.from} imports ${i.to}, which does not exist`).toContain(i.to);
  });

  it('never imports from a higher layer', () => {
    const upward = local
      .filter((i) => rank(i.to) > rank(i.from))
      .map((i) => `${i.from} (${layerOf(i.from)}) → ${i.to} (${layerOf(i.to)})`);
    expect(upward).toEqual([]);
  });

  it('has no cycles between the folders of one layer', () => {
    // Folders of one layer, and the edges between them; a cycle is a pair (or ring) that needs each other.
    const edges = new Map<string, Set<string>>();
    for (const i of local) {
      const a = `${folderOf(i.from)} (${layerOf(i.from)})`;
      const b = `${folderOf(i.to)} (${layerOf(i.to)})`;
      if (a === b || layerOf(i.from) === 'base') continue;
      edges.set(a, (edges.get(a) ?? new Set()).add(b));
    }
    expect(cycles(edges)).toEqual([]);
  });

  it("keeps Bolt's Web API client out of domain code, which sees a SlackDirectory instead", () => {
    const client = imports
      .filter((i) => i.to.startsWith('@slack/') && /\b(webApi|WebClient)\b/.test(i.names))
      .filter((i) => ['domain', 'read model'].includes(layerOf(i.from)))
      // The outbox's sender is the one domain whose job is to call the Web API.
      .filter((i) => folderOf(i.from) !== 'delivery')
      .map((i) => i.from);
    expect(client).toEqual([]);
  });

  it('lets only the listeners and app.ts import a listener', () => {
    const reaching = local
      .filter((i) => layerOf(i.to) === 'listeners' && layerOf(i.from) !== 'listeners' && i.from !== 'src/app.ts')
      .map(edge);
    expect(reaching).toEqual([]);
  });
});

/** Every strongly connected set of more than one node (Tarjan), each sorted, for a readable failure. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}
