import { describe, expect, it } from 'vitest';
import { type BoardChartInput, boardChartSvg, CHART_WIDTH } from '../../src/charts/board-chart.js';
import { boardChartAttachment, chartAltText, renderBoardChart, svgToPng } from '../../src/charts/render.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from the PNG's IHDR chunk, which always follows the signature. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(new TextDecoder().decode(png.slice(12, 16))).toBe('IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const input: BoardChartInput = {
  title: 'Revenue — week of Nov 16',
  subtitle: 'Top 3 of 11 reps',
  bars: [
    { label: 'Maya Patel', value: 48_200, display: '$48,200' },
    { label: 'Chloé Dubois', value: 30_100, display: '$30,100', highlight: true },
    { label: 'Jordan Reyes', value: 22_000, display: '$22,000' },
  ],
  trend: [
    { label: 'Nov 2', value: 90_000, display: '$90K' },
    { label: 'Nov 9', value: 120_000, display: '$120K' },
  ],
};

describe('renderBoardChart', () => {
  it('renders a PNG twice the size of the SVG, for sharp pictures on dense screens', async () => {
    const png = await renderBoardChart(input);
    expect([...png.slice(0, 8)]).toEqual(PNG_SIGNATURE);
    const svgHeight = Number(/height="(\d+)"/.exec(boardChartSvg(input))?.[1]);
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH * 2, height: svgHeight * 2 });
    expect(png.byteLength).toBeLessThan(300_000);
  });

  it('draws text with the shipped font: no system font is asked for', async () => {
    const blank =
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/></svg>';
    const withText = blank.replace(
      '</svg>',
      '<text x="10" y="30" font-size="20" font-family="Inter">Maya</text></svg>',
    );
    expect((await svgToPng(withText)).png).not.toEqual((await svgToPng(blank)).png);
  });

  it('draws the names: the same chart without labels is a different picture', async () => {
    const unlabelled = { ...input, bars: input.bars.map((b) => ({ ...b, label: '' })) };
    const a = await svgToPng(boardChartSvg(input));
    const b = await svgToPng(boardChartSvg(unlabelled));
    expect(a.height).toBe(b.height);
    expect(a.png).not.toEqual(b.png);
  });

  it('renders names with XML specials as text, not markup', async () => {
    const png = await renderBoardChart({ ...input, bars: [{ label: `<b>"O'Neil" & Sons`, value: 1, display: '1' }] });
    expect([...png.slice(0, 8)]).toEqual(PNG_SIGNATURE);
  });

  it('renders an empty board, a board of one and a chart with no trend', async () => {
    for (const variant of [
      { ...input, bars: [] },
      { ...input, bars: input.bars.slice(0, 1) },
      { ...input, trend: [] },
      { ...input, bars: [], trend: [] },
    ]) {
      const png = await renderBoardChart(variant);
      expect([...png.slice(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(pngSize(png).width).toBe(CHART_WIDTH * 2);
    }
  });

  it('gives the same bytes for the same chart, so a retried post uploads the same picture', async () => {
    expect(await renderBoardChart(input)).toEqual(await renderBoardChart(structuredClone(input)));
  });
});

describe('boardChartAttachment', () => {
  it('carries the PNG in base64 and an alt text with the board and the trend', async () => {
    const attachment = await boardChartAttachment(input, 'board-revenue-2026-11-16.png');
    expect(attachment.filename).toBe('board-revenue-2026-11-16.png');
    expect(attachment.title).toBe(input.title);
    expect(Buffer.from(attachment.pngBase64, 'base64')).toEqual(Buffer.from(await renderBoardChart(input)));
    expect(attachment.altText).toBe(
      'Revenue — week of Nov 16. Maya Patel: $48,200; Chloé Dubois: $30,100; Jordan Reyes: $22,000. ' +
        'Team trend: Nov 2 $90K, Nov 9 $120K.',
    );
  });

  it('says when nobody is on the board, and keeps a long alt text within bounds', async () => {
    expect(chartAltText({ ...input, bars: [], trend: [] })).toBe(
      'Revenue — week of Nov 16. Nobody is on the board yet.',
    );
    const many = Array.from({ length: 200 }, (_, i) => ({ label: `Person ${i}`, value: i, display: `${i}` }));
    const alt = chartAltText({ ...input, bars: many });
    expect(alt.length).toBe(1000);
    expect(alt.endsWith('…')).toBe(true);
  });
});
