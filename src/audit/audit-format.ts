import { DateTime } from 'luxon';

/** One audit entry as a line an admin reads: when, who, what, to whom. Pure. */
export interface AuditRow {
  actorId: string;
  action: string;
  target: string | null;
  details: unknown;
  at: Date;
}

function subject(target: string | null): string {
  if (target === null) return '';
  if (/^[UW][A-Z0-9]+$/.test(target)) return `<@${target}>`;
  if (/^C[A-Z0-9]+$/.test(target)) return `<#${target}>`;
  return target.replace(/[&<>]/g, '');
}

function detailText(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  const parts = Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k} ${String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/[&<>]/g, '')}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

export function auditLine(row: AuditRow, timezone: string): string {
  const when = DateTime.fromJSDate(row.at, { zone: timezone }).setLocale('en-US').toFormat('ccc d LLL HH:mm');
  return `• ${when} — <@${row.actorId}> *${row.action}* ${subject(row.target)}${detailText(row.details)}`;
}
