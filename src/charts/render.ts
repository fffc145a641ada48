import { Resvg } from '@resvg/resvg-js';
import { type BoardChartInput, boardChartSvg } from './board-chart.js';
import { CHART_FONT_FAMILY, chartFontFiles } from './font.js';

/** Twice the SVG's size, so the picture stays sharp on high-density screens, where Slack shows it. */
const SCALE = 2;

export interface RenderedChart {
  png: Uint8Array;
  width: number;
  height: number;
}

/** SVG to PNG with the shipped font only: no system font is looked up, so the output is deterministic. */
export function svgToPng(svg: string): RenderedChart {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: SCALE },
    font: { loadSystemFonts: false, fontFiles: chartFontFiles(), defaultFontFamily: CHART_FONT_FAMILY },
  });
  const image = resvg.render();
  return { png: new Uint8Array(image.asPng()), width: image.width, height: image.height };
}

/** The weekly board post's picture: the top of the board and the team's trend, as PNG bytes. */
export function renderBoardChart(input: BoardChartInput): Uint8Array {
  return svgToPng(boardChartSvg(input)).png;
}
