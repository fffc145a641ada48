import { line, rect, text, truncate } from './svg.js';

/**
 * The picture of the weekly board post, as SVG: a horizontal bar chart of the top of the board and,
 * under it, the team's trend over the last weeks as columns. Pure: the same input gives the same
 * SVG, which `render.ts` turns into PNG with a font shipped with the app.
 */

export interface ChartPoint {
  label: string;
  value: number;
  /** The value as the app shows it elsewhere (`formatKpiValue`), so the chart and the text agree. */
  display: string;
}

export interface ChartBar extends ChartPoint {
  /** Drawn in the accent colour (e.g. the most improved rep). */
  highlight?: boolean;
}

export interface BoardChartInput {
  title: string;
  subtitle: string;
  /** The top of the board, best first; the caller has already left out the bottom and opted-out people. */
  bars: readonly ChartBar[];
  /** Oldest first, e.g. one point per week labelled with its start ("Nov 2"). Empty: no trend section. */
  trend: readonly ChartPoint[];
  trendTitle?: string;
  /** Shown instead of bars when nobody is on the board. */
  emptyText?: string;
}

export const CHART_WIDTH = 800;
/** More would not fit the width legibly: a board post shows its top, and a quarter has 13 weeks. */
export const MAX_BARS = 15;
export const MAX_TREND_POINTS = 13;
/** About 200 px of label column at 14 px. */
export const MAX_LABEL_CHARS = 26;

const PAD = 32;
const ROW = 34;
const BAR_HEIGHT = 22;
const LABEL_WIDTH = 210;
const VALUE_WIDTH = 120;
const PLOT_HEIGHT = 140;

const COLOR = {
  background: '#ffffff',
  text: '#1f2933',
  muted: '#5f6b7a',
  bar: '#4c6ef5',
  highlight: '#f59f00',
  column: '#7b93f7',
  rule: '#d9dee4',
};

export function boardChartSvg(input: BoardChartInput): string {
  const parts: string[] = [];
  let y = PAD;
  parts.push(text(PAD, y + 20, truncate(input.title, 60), { size: 22, fill: COLOR.text, weight: 600 }));
  y += 28;
  if (input.subtitle !== '') {
    parts.push(text(PAD, y + 16, truncate(input.subtitle, 90), { size: 14, fill: COLOR.muted }));
    y += 24;
  }
  y += 20;
  y = drawBars(parts, input, y);
  const trend = input.trend.slice(-MAX_TREND_POINTS);
  if (trend.length > 0) y = drawTrend(parts, trend, input.trendTitle ?? 'Team trend', y + 24);
  const height = Math.ceil(y + PAD);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" font-family="Inter">`,
    rect(0, 0, CHART_WIDTH, height, COLOR.background),
    ...parts,
    '</svg>',
  ].join('\n');
}

function drawBars(parts: string[], input: BoardChartInput, top: number): number {
  const bars = input.bars.slice(0, MAX_BARS);
  if (bars.length === 0) {
    parts.push(text(PAD, top + 20, input.emptyText ?? 'Nobody is on the board yet.', { size: 15, fill: COLOR.muted }));
    return top + ROW;
  }
  const x0 = PAD + LABEL_WIDTH;
  const span = CHART_WIDTH - PAD - VALUE_WIDTH - x0;
  const max = Math.max(0, ...bars.map((b) => b.value));
  bars.forEach((bar, i) => {
    const rowTop = top + i * ROW;
    const middle = rowTop + ROW / 2;
    // Zero and negative values get no bar, only their figure.
    const width = max > 0 && bar.value > 0 ? Math.max(2, (bar.value / max) * span) : 0;
    parts.push(text(PAD, middle + 5, truncate(bar.label, MAX_LABEL_CHARS), { size: 14, fill: COLOR.text }));
    if (width > 0) {
      parts.push(rect(x0, middle - BAR_HEIGHT / 2, width, BAR_HEIGHT, bar.highlight ? COLOR.highlight : COLOR.bar, 3));
    }
    parts.push(text(x0 + width + 8, middle + 5, bar.display, { size: 14, fill: COLOR.text, weight: 600 }));
  });
  return top + bars.length * ROW;
}

function drawTrend(parts: string[], trend: readonly ChartPoint[], title: string, top: number): number {
  parts.push(text(PAD, top + 16, truncate(title, 60), { size: 16, fill: COLOR.text, weight: 600 }));
  // Room above the tallest column for its figure.
  const plotTop = top + 28 + 20;
  const baseline = plotTop + PLOT_HEIGHT;
  const slot = (CHART_WIDTH - 2 * PAD) / trend.length;
  const columnWidth = Math.min(48, slot * 0.6);
  const max = Math.max(0, ...trend.map((p) => p.value));
  trend.forEach((point, i) => {
    const centre = PAD + slot * i + slot / 2;
    const height = max > 0 && point.value > 0 ? Math.max(1, (point.value / max) * PLOT_HEIGHT) : 0;
    if (height > 0) parts.push(rect(centre - columnWidth / 2, baseline - height, columnWidth, height, COLOR.column, 2));
    const figure = truncate(point.display, 10);
    parts.push(text(centre, baseline - height - 6, figure, { size: 12, fill: COLOR.text, anchor: 'middle' }));
    parts.push(
      text(centre, baseline + 18, truncate(point.label, 8), { size: 12, fill: COLOR.muted, anchor: 'middle' }),
    );
  });
  parts.push(line(PAD, baseline, CHART_WIDTH - PAD, baseline, COLOR.rule));
  return baseline + 26;
}
