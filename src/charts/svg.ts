/** Small SVG text helpers: chart labels are user data (names), so every string is escaped. */

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * At most `max` characters as the eye counts them (an accent or an emoji is one), with an ellipsis
 * when cut, so a long name never runs into its bar.
 */
export function truncate(text: string, max: number): string {
  const parts = Array.from(graphemes.segment(text.trim()), (s) => s.segment);
  return parts.length <= max
    ? parts.join('')
    : `${parts
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

export interface TextStyle {
  size: number;
  fill: string;
  weight?: 400 | 600;
  anchor?: 'start' | 'middle' | 'end';
}

export function text(x: number, y: number, content: string, style: TextStyle): string {
  const anchor = style.anchor && style.anchor !== 'start' ? ` text-anchor="${style.anchor}"` : '';
  const weight = style.weight === 600 ? ' font-weight="600"' : '';
  return `<text x="${round(x)}" y="${round(y)}" font-size="${style.size}" fill="${style.fill}"${weight}${anchor}>${escapeXml(content)}</text>`;
}

export function rect(x: number, y: number, width: number, height: number, fill: string, radius = 0): string {
  const r = radius > 0 ? ` rx="${radius}"` : '';
  return `<rect x="${round(x)}" y="${round(y)}" width="${round(width)}" height="${round(height)}"${r} fill="${fill}"/>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string): string {
  return `<line x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="${stroke}" stroke-width="1"/>`;
}

/** Two decimals at most: the same chart always prints the same SVG. */
const round = (n: number): string => String(Math.round(n * 100) / 100);
