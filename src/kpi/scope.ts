import { previousWindow, resolveWindow, type TimeWindow, type WindowSpec } from './windows.js';

/** A window and the one before it, plus the goal period whose revenue target is its quota. */
export interface WindowPair {
  window: TimeWindow;
  previous: TimeWindow;
  quotaPeriod: string | null;
}

const QUOTA_PERIOD: Partial<Record<WindowSpec['kind'], string>> = {
  week: 'week',
  last_week: 'week',
  month: 'month',
  last_month: 'month',
  quarter: 'quarter',
  last_quarter: 'quarter',
  year: 'year',
};

export function windowPair(spec: WindowSpec, now: Date, timezone: string): WindowPair {
  const window = resolveWindow(spec, now, timezone);
  return { window, previous: previousWindow(window), quotaPeriod: QUOTA_PERIOD[spec.kind] ?? null };
}
