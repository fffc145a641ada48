import { ACTIVITY_KIND_KEYS, type ActivityKind } from './activity-kinds.js';
import type { KpiDefinition } from './catalogue.js';
import type { KpiFacts } from './facts.js';

/**
 * Which stored data a KPI reads, found by running its own formula once on facts that record what
 * is read. A board of revenue then scans only deal-won entries instead of every call and email,
 * and nothing has to keep a second list of each formula's inputs in step with the formula.
 */
export interface KpiInputs {
  kinds: ActivityKind[];
  deals: boolean;
  leads: boolean;
  /** Whether it reads the quota (revenue goals); when not said, they are loaded. */
  quota?: boolean;
  /** Whether it reads the window before (growth); when not said, it is loaded. */
  previous?: boolean;
}

const SECTIONS = ['deals', 'leads', 'customers', 'spendCents', 'quotaCents', 'previousRevenueCents'] as const;

function probe(read: { kinds: Set<ActivityKind>; sections: Set<string> }): KpiFacts {
  // Every value non-zero and every section present, so no formula short-circuits before reading.
  const total = { quantity: 7, amountCents: 700_000 };
  const activities = new Proxy({} as KpiFacts['activities'], {
    get(_target, kind) {
      if (typeof kind === 'string' && (ACTIVITY_KIND_KEYS as readonly string[]).includes(kind)) {
        read.kinds.add(kind as ActivityKind);
        return total;
      }
      return undefined;
    },
  });
  const deep = (name: string) =>
    new Proxy(
      {},
      {
        get(_t, key) {
          read.sections.add(name);
          return key === 'stageEntries'
            ? [
                { stage: 'a', deals: 9 },
                { stage: 'b', deals: 3 },
              ]
            : 7;
        },
      },
    );
  const facts: Record<string, unknown> = { activities, repCount: 3 };
  for (const section of SECTIONS) {
    Object.defineProperty(facts, section, {
      get: () => {
        read.sections.add(section);
        return section === 'deals' || section === 'leads' || section === 'customers' ? deep(section) : 500_000;
      },
    });
  }
  return facts as unknown as KpiFacts;
}

const cache = new Map<string, KpiInputs>();

export function inputsOf(def: KpiDefinition): KpiInputs {
  const known = cache.get(def.key);
  if (known) return known;
  const read = { kinds: new Set<ActivityKind>(), sections: new Set<string>() };
  const facts = probe(read);
  def.compute(facts);
  def.minSample?.count(facts);
  const inputs = {
    kinds: [...read.kinds].sort(),
    deals: read.sections.has('deals'),
    leads: read.sections.has('leads'),
    quota: read.sections.has('quotaCents'),
    previous: read.sections.has('previousRevenueCents'),
  };
  cache.set(def.key, inputs);
  return inputs;
}
