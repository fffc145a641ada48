import type { Block, SlackMessage } from '../slack/blocks/message.js';

/**
 * Renders the Block Kit messages the Slack app sends as terminal text, so the demo shows exactly
 * what a rep would see in Slack: headers, sections (text and two-column fields), context lines and
 * buttons, with Slack's mrkdwn turned into ANSI styles (or plain text when not on a terminal).
 */

export interface RenderOptions {
  /** Total line width, gutter included. */
  width: number;
  /** ANSI bold, italic and dim; off when the output is not a terminal. */
  ansi: boolean;
}

interface Style {
  bold(text: string): string;
  italic(text: string): string;
  strike(text: string): string;
  dim(text: string): string;
}

const sgr = (on: number, off: number) => (text: string) => `\x1b[${on}m${text}\x1b[${off}m`;
const ANSI: Style = { bold: sgr(1, 22), italic: sgr(3, 23), strike: sgr(9, 29), dim: sgr(2, 22) };
const PLAIN: Style = { bold: (t) => t, italic: (t) => t, strike: (t) => t, dim: (t) => t };

/** The few shortcodes the app's messages use; any other stays as typed. */
const EMOJI: Record<string, string> = {
  bulb: '💡',
  first_place_medal: '🥇',
  second_place_medal: '🥈',
  third_place_medal: '🥉',
  chart_with_upwards_trend: '📈',
  warning: '⚠️',
  white_check_mark: '✅',
  leftwards_arrow_with_hook: '↩️',
};

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&' };

const GUTTER = '│ ';

export function renderMessage(message: SlackMessage, options: RenderOptions): string {
  const style = options.ansi ? ANSI : PLAIN;
  const inner = options.width - GUTTER.length;
  const body = message.blocks.flatMap((block, i) => [...(i > 0 ? [''] : []), ...renderBlock(block, inner, style)]);
  const rule = '─'.repeat(options.width - 1);
  return [`╭${rule}`, ...body.map((line) => `${GUTTER}${line}`.trimEnd()), `╰${rule}`].join('\n');
}

function renderBlock(block: Block, width: number, style: Style): string[] {
  switch (block.type) {
    case 'header':
      return [style.bold(block.text.text), '═'.repeat(Math.min(width, visibleWidth(block.text.text)))];
    case 'section': {
      const text = block.text ? wrap(inline(block.text.text, block.text.type, style), width) : [];
      const fields = block.fields ? renderFields(block.fields, width, style) : [];
      const accessory = block.accessory?.type === 'button' ? [button(block.accessory.text.text)] : [];
      return [...text, ...fields, ...accessory];
    }
    case 'context': {
      const parts = block.elements.map((e) => ('text' in e ? inline(e.text, e.type, style) : `[${e.alt_text}]`));
      return wrap(parts.join('  '), width).map(style.dim);
    }
    case 'actions':
      return [block.elements.map((e) => (e.type === 'button' ? button(e.text.text) : `[${e.type}]`)).join(' ')];
    case 'divider':
      return ['─'.repeat(width)];
    default:
      return [style.dim(`[${block.type} block]`)];
  }
}

const button = (label: string) => `[ ${label} ]`;

/** Slack lays section fields out in two columns, read left to right, top to bottom. */
function renderFields(fields: readonly { type: string; text: string }[], width: number, style: Style): string[] {
  const column = Math.floor(width / 2);
  const cells = fields.map((f) => wrap(inline(f.text, f.type, style), column - 2));
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += 2) {
    const left = cells[i] ?? [];
    const right = cells[i + 1] ?? [];
    if (i > 0) lines.push('');
    for (let row = 0; row < Math.max(left.length, right.length); row++) {
      lines.push(padEnd(left[row] ?? '', column) + (right[row] ?? ''));
    }
  }
  return lines;
}

function inline(text: string, type: string, style: Style): string {
  return type === 'mrkdwn' ? mrkdwnToText(text, style) : text;
}

/** Slack mrkdwn to terminal text: links, emoji, emphasis, then the three escaped characters. */
function mrkdwnToText(text: string, style: Style): string {
  return text
    .replace(/<([^>|]+)(?:\|([^>]*))?>/g, (_, target: string, label?: string) => link(target, label))
    .replace(/:([a-z0-9_+-]+):/g, (code, name: string) => EMOJI[name] ?? code)
    .replace(emphasis('*'), (_, before: string, inner: string) => before + style.bold(inner))
    .replace(emphasis('_'), (_, before: string, inner: string) => before + style.italic(inner))
    .replace(emphasis('~'), (_, before: string, inner: string) => before + style.strike(inner))
    .replace(/&(lt|gt|amp);/g, (_, name: string) => ENTITIES[name] ?? '');
}

/** `*bold*` only where Slack reads it: the marks hug the words and do not sit inside one. */
function emphasis(mark: string): RegExp {
  const m = `\\${mark}`;
  return new RegExp(`(^|[^\\w${m}])${m}([^\\s${m}](?:[^${m}\\n]*[^\\s${m}])?)${m}(?![\\w${m}])`, 'g');
}

/** `<@U1>` → @U1, `<#C1|sales>` → #sales, `<!here>` → @here, `<https://x|docs>` → docs (https://x). */
function link(target: string, label: string | undefined): string {
  if (target.startsWith('@')) return label ? `@${label}` : target;
  if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
  if (target.startsWith('!')) return `@${label ?? target.slice(1)}`;
  return label ? `${label} (${target})` : target;
}

// ---------------------------------------------------------------------------------------------
// Measuring and wrapping text as the terminal shows it

const ANSI_CODE = /\x1b\[[0-9;]*m/g;

/** Columns taken on screen: escape codes take none, emoji take two. */
function visibleWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(ANSI_CODE, '')) {
    if (/[\u200d\ufe0f]/u.test(char)) continue;
    width += /\p{Extended_Pictographic}/u.test(char) ? 2 : 1;
  }
  return width;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

/** Greedy word wrap that keeps the text's own line breaks. */
function wrap(text: string, width: number): string[] {
  return text.split('\n').flatMap((paragraph) => {
    const lines: string[] = [];
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && visibleWidth(`${line} ${word}`) > width) {
        lines.push(line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    lines.push(line);
    return lines;
  });
}
