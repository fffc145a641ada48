import { describe, expect, it } from 'vitest';
import {
  type BoardChartInput,
  boardChartSvg,
  CHART_WIDTH,
  MAX_BARS,
  MAX_LABEL_CHARS,
  MAX_TREND_POINTS,
} from '../../src/charts/board-chart.js';
import { escapeXml, truncate } from '../../src/charts/svg.js';

const base: BoardChartInput = {
  title: 'Revenue',
  subtitle: 'Week of Nov 16',
  bars: [
    { label: 'Maya Patel', value: 200, display: '$200' },
    { label: 'Noah Kim', value: 100, display: '$100' },
  ],
  trend: [
    { label: 'Nov 2', value: 300, display: '$300' },
    { label: 'Nov 9', value: 150, display: '$150' },
  ],
};

/** Widths of the bars drawn (the rounded rects), in order. */
const barWidths = (svg: string) =>
  [...svg.matchAll(/<rect [^>]*width="([\d.]+)"[^>]*rx="3"/g)].map((m) => Number(m[1]));
const texts = (svg: string) => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const height = (svg: string) => Number(/height="(\d+)"/.exec(svg)?.[1]);

describe('escapeXml and truncate', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<b>"Tom" & 'Jerry'</b>`)).toBe('&lt;b&gt;&quot;Tom&quot; &amp; &apos;Jerry&apos;&lt;/b&gt;');
  });

  it('keeps short text and cuts long text with an ellipsis, counting accents and emoji as one', () => {
    expect(truncate('Chloé', 5)).toBe('Chloé');
    expect(truncate('Chloé Dubois', 6)).toBe('Chloé…');
    expect(truncate('👩🏽‍💼👩🏽‍💼👩🏽‍💼', 2)).toBe('👩🏽‍💼…');
  });
});

describe('boardChartSvg', () => {
  it('draws each bar in proportion to the best and prints every figure as formatted', () => {
    const svg = boardChartSvg(base);
    const [first, second] = barWidths(svg);
    expect(first).toBeGreaterThan(0);
    expect(second).toBeCloseTo((first ?? 0) / 2, 1);
    expect(texts(svg)).toEqual(
      expect.arrayContaining(['Revenue', 'Week of Nov 16', 'Maya Patel', '$200', 'Noah Kim', '$100']),
    );
    expect(texts(svg)).toEqual(expect.arrayContaining(['Team trend', 'Nov 2', '$300', 'Nov 9', '$150']));
    expect(svg).toContain(`width="${CHART_WIDTH}"`);
  });

  it('escapes names, titles and figures, which are user data', () => {
    const svg = boardChartSvg({
      ...base,
      title: 'Q4 <push> & "win"',
      bars: [{ label: '<b>"Bob" & Co</b>', value: 1, display: '1' }],
    });
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;&quot;Bob&quot; &amp; Co&lt;/b&gt;');
    expect(svg).toContain('Q4 &lt;push&gt; &amp; &quot;win&quot;');
  });

  it('cuts long names so they never run into their bar', () => {
    const long = 'Alexandra Konstantinopoulou-Vanderberg the Third';
    const svg = boardChartSvg({ ...base, bars: [{ label: long, value: 5, display: '5' }] });
    const label = texts(svg).find((t) => t?.startsWith('Alexandra'));
    expect(label).toBeDefined();
    expect(label?.endsWith('…')).toBe(true);
    expect([...(label ?? '')].length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
  });

  it('says so when nobody is on the board, and draws no bar', () => {
    const svg = boardChartSvg({ ...base, bars: [] });
    expect(barWidths(svg)).toEqual([]);
    expect(texts(svg)).toContain('Nobody is on the board yet.');
    expect(texts(boardChartSvg({ ...base, bars: [], emptyText: 'No calls logged this week.' }))).toContain(
      'No calls logged this week.',
    );
  });

  it('draws a board of one at full length', () => {
    const one = boardChartSvg({ ...base, bars: [{ label: 'Solo', value: 3, display: '3' }] });
    const full = barWidths(boardChartSvg(base))[0];
    expect(barWidths(one)).toEqual([full]);
  });

  it('draws no bar for zero or negative values but still prints their figure', () => {
    const svg = boardChartSvg({
      ...base,
      bars: [
        { label: 'A', value: 0, display: '0' },
        { label: 'B', value: -2, display: '-2' },
      ],
      trend: [{ label: 'Nov 2', value: 0, display: '0' }],
    });
    expect(barWidths(svg)).toEqual([]);
    expect(texts(svg)).toEqual(expect.arrayContaining(['A', '0', 'B', '-2']));
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('leaves the trend out when there is none, and the picture is shorter', () => {
    const svg = boardChartSvg({ ...base, trend: [] });
    expect(texts(svg)).not.toContain('Team trend');
    expect(height(svg)).toBeLessThan(height(boardChartSvg(base)));
  });

  it('shows at most the top bars and the latest weeks', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ label: `P${i}`, value: 30 - i, display: `v${i}` }));
    const svg = boardChartSvg({ ...base, bars: many, trend: many.map((p, i) => ({ ...p, label: `W${i}` })) });
    expect(barWidths(svg)).toHaveLength(MAX_BARS);
    const shown = texts(svg).filter((t) => /^W\d+$/.test(t ?? ''));
    expect(shown).toHaveLength(MAX_TREND_POINTS);
    expect(shown.at(-1)).toBe('W29');
  });

  it('highlights the chosen bar', () => {
    const svg = boardChartSvg({ ...base, bars: [{ ...base.bars[0]!, highlight: true }, base.bars[1]!] });
    const fills = [...svg.matchAll(/<rect [^>]*rx="3" fill="([^"]+)"/g)].map((m) => m[1]);
    expect(fills[0]).not.toBe(fills[1]);
  });

  it('is deterministic', () => {
    expect(boardChartSvg(base)).toBe(boardChartSvg(structuredClone(base)));
  });
});
