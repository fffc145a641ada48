import type { Random } from './random.js';

/**
 * The demo sales team: who they are, and how each of them works. SDRs (development reps) dial,
 * email, book meetings and qualify leads; AEs (account executives) run demos and proposals and win
 * or lose deals. Rates and skills are drawn around the field benchmarks of the KPI field notes, so
 * some reps beat a benchmark and some fall short of it, and the coaching has something to say.
 */

export type DemoRole = 'sdr' | 'ae';

export interface DemoRep {
  userId: string;
  name: string;
  timezone: string;
  role: DemoRole;
  /** Hidden from public boards (`/kpi privacy hide`). */
  optedOut: boolean;
}

const NAMED_TEAM: readonly Omit<DemoRep, 'userId'>[] = [
  { name: 'Maya Patel', timezone: 'America/New_York', role: 'ae', optedOut: false },
  { name: 'Jordan Reyes', timezone: 'America/Chicago', role: 'ae', optedOut: false },
  { name: 'Oliver Bennett', timezone: 'Europe/London', role: 'ae', optedOut: false },
  { name: 'Sofia Rossi', timezone: 'America/New_York', role: 'ae', optedOut: true },
  { name: 'Ethan Brooks', timezone: 'America/Los_Angeles', role: 'ae', optedOut: false },
  { name: 'Liam Carter', timezone: 'America/New_York', role: 'sdr', optedOut: false },
  { name: 'Ava Nguyen', timezone: 'America/Chicago', role: 'sdr', optedOut: false },
  { name: 'Noah Kim', timezone: 'America/Los_Angeles', role: 'sdr', optedOut: false },
  { name: 'Chloé Dubois', timezone: 'Europe/London', role: 'sdr', optedOut: false },
  { name: 'Mateo Silva', timezone: 'America/New_York', role: 'sdr', optedOut: false },
  { name: 'Hannah Weber', timezone: 'Europe/London', role: 'sdr', optedOut: false },
  { name: 'Isaac Cohen', timezone: 'America/Chicago', role: 'sdr', optedOut: false },
];

export const NAMED_TEAM_SIZE = NAMED_TEAM.length;

/** The named dozen first; a bigger team repeats their roles and zones as "Rep 13", "Rep 14", … */
export function demoTeam(size: number): DemoRep[] {
  return Array.from({ length: size }, (_, i) => {
    const named = NAMED_TEAM[i];
    const template = named ?? NAMED_TEAM[i % NAMED_TEAM.length];
    if (!template) throw new Error('the named team is empty');
    return {
      userId: `UDEMO${String(i + 1).padStart(4, '0')}`,
      name: named?.name ?? `Rep ${i + 1}`,
      timezone: template.timezone,
      role: template.role,
      optedOut: named?.optedOut ?? false,
    };
  });
}

/** How one rep works: volumes per working day, and their conversion at each step. */
export interface Profile {
  callsPerDay: number;
  emailsPerDay: number;
  /** Conversations per call or email (field benchmark: best-in-class at least 35 per 100). */
  reach: number;
  /** Meetings booked per conversation. */
  meetingRate: number;
  noShowRate: number;
  /** Qualified leads per conversation (field benchmark: about 11 per 100). */
  passRate: number;
  /** Follow-ups logged per day on open deals. */
  followUpsPerDay: number;
  /** Relative change in effort from the first day to the last: some ramp up, some slow down. */
  trend: number;
  /** New leads per day from the CRM; AEs get none, SDRs work them. */
  leadsPerDay: number;
  /** Median minutes before a new lead hears back (field benchmark: within the hour). */
  responseMinutes: number;
  mqlRate: number;
  qualifyRate: number;
  /** Qualified leads that become a deal (field benchmark: the best teams about 73%). */
  pipeRate: number;
  /** Touchpoints per lead in its first weeks (field benchmark: about 16). */
  touchesPerLead: number;
  /** Deals opened per day; SDRs open none. */
  dealsPerDay: number;
  winRate: number;
  dealSizeCents: number;
  cycleDays: number;
  /** Follow-ups on a deal before giving up on it (field benchmark: half of sales come after the fifth). */
  followUpsPerLostDeal: number;
}

export function drawProfile(role: DemoRole, rng: Random): Profile {
  const sdr = role === 'sdr';
  return {
    callsPerDay: sdr ? rng.between(35, 65) : rng.between(8, 18),
    emailsPerDay: sdr ? rng.between(15, 35) : rng.between(10, 25),
    reach: rng.between(0.22, 0.46),
    meetingRate: sdr ? rng.between(0.12, 0.28) : rng.between(0.2, 0.35),
    noShowRate: rng.between(0.06, 0.3),
    passRate: sdr ? rng.between(0.06, 0.16) : rng.between(0.08, 0.14),
    followUpsPerDay: sdr ? 0 : rng.between(3, 8),
    trend: rng.between(-0.15, 0.25),
    leadsPerDay: sdr ? rng.between(2, 4) : 0,
    responseMinutes: rng.between(10, 150),
    mqlRate: rng.between(0.35, 0.6),
    qualifyRate: rng.between(0.15, 0.3),
    pipeRate: rng.between(0.55, 0.8),
    touchesPerLead: rng.between(5, 16),
    dealsPerDay: sdr ? 0 : rng.between(0.9, 1.5),
    winRate: rng.between(0.18, 0.42),
    dealSizeCents: Math.round(rng.between(10_000, 30_000)) * 100,
    cycleDays: rng.between(18, 40),
    followUpsPerLostDeal: rng.between(1.5, 7),
  };
}
