import type { ChartAttachment } from '../delivery/outbox.repository.js';
import { type BoardChartInput, boardChartSvg } from './board-chart.js';
import { CHART_FONT_FAMILY, chartFontFiles } from './font.js';

/** Twice the SVG's size, so the picture stays sharp on high-density screens, where Slack shows it. */
const SCALE = 2;

export interface RenderedChart {
  png: Uint8Array;
  width: number;
  height: number;
}

/**
 * SVG to PNG with the shipped font only: no system font is looked up, so the output is deterministic.
 * Rasterising takes tens of milliseconds, so it runs on libuv's thread pool, not the event loop
 * that answers Slack within its three seconds.
 */
export async function svgToPng(svg: string): Promise<RenderedChart> {
  // Loaded on the first chart, not at start: only the weekly board post draws one, and the native
  // renderer is about 7 MB of a serving process that otherwise never needs it.
  const { renderAsync } = await import('@resvg/resvg-js');
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: SCALE },
    font: { loadSystemFonts: false, fontFiles: chartFontFiles(), defaultFontFamily: CHART_FONT_FAMILY },
  });
  return { png: new Uint8Array(image.asPng()), width: image.width, height: image.height };
}

/** The weekly board post's picture: the top of the board and the team's trend, as PNG bytes. */
export async function renderBoardChart(input: BoardChartInput): Promise<Uint8Array> {
  return (await svgToPng(boardChartSvg(input))).png;
}

/**
 * The chart as the outbox stores it for upload: PNG bytes in base64 and an alt text that says what
 * the picture shows, for screen readers and for clients that do not load images.
 */
export async function boardChartAttachment(input: BoardChartInput, filename: string): Promise<ChartAttachment> {
  return {
    filename,
    title: input.title,
    altText: chartAltText(input),
    pngBase64: Buffer.from(await renderBoardChart(input)).toString('base64'),
  };
}

/** Kept within 1,000 characters (a file's alt text); the top of the board comes first, so cutting loses little. */
const MAX_ALT_TEXT = 1000;

export function chartAltText(input: BoardChartInput): string {
  const bars = input.bars.map((b) => `${b.label}: ${b.display}`).join('; ');
  const trend = input.trend.map((p) => `${p.label} ${p.display}`).join(', ');
  const text = [
    `${input.title}.`,
    bars ? `${bars}.` : (input.emptyText ?? 'Nobody is on the board yet.'),
    trend ? `${input.trendTitle ?? 'Team trend'}: ${trend}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return text.length <= MAX_ALT_TEXT ? text : `${text.slice(0, MAX_ALT_TEXT - 1)}…`;
}
