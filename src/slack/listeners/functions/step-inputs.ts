import { findKpi, type KpiDefinition } from '../../../kpi/catalogue.js';
import { parseWindow, WINDOW_CHOICES, type WindowSpec } from '../../../kpi/windows.js';
import { StepRefusal, textInput } from './step.js';

/** The metric and window inputs the KPI and board steps share, read as `/kpi board` reads them. */
export function metricInput(inputs: Record<string, unknown>, fallback: string | null): KpiDefinition {
  const name = textInput(inputs, 'metric') ?? fallback;
  if (name === null) throw new StepRefusal('Name a metric for “Metric”, e.g. calls, meetings or revenue.');
  const metric = findKpi(name);
  if (!metric) {
    throw new StepRefusal(
      `KPI Coach has no metric called “${name}”. Use a name from /kpi explain, e.g. calls or win rate.`,
    );
  }
  return metric;
}

export function windowInput(inputs: Record<string, unknown>, now: Date, timezone: string): WindowSpec {
  const text = textInput(inputs, 'window');
  if (text === null) return { kind: 'week' };
  const window = parseWindow(text, now, timezone);
  if (!window.ok) throw new StepRefusal(`“Window” ${window.error.replace(/^“[^”]*” /, '')} Try ${WINDOW_CHOICES}.`);
  return window.spec;
}
