import { describe, expect, it } from 'vitest';
import { auditLine } from '../../src/audit/audit-format.js';

describe('audit lines', () => {
  it('say when, who, what and to whom, in the reader’s zone, with user text defused', () => {
    const line = auditLine(
      {
        actorId: 'U0MGR',
        action: 'goal.set',
        target: 'U0REP',
        details: { metric: 'meetings', target: 12, previous: null, note: '<!channel> & co' },
        at: new Date('2026-11-18T15:00:00Z'),
      },
      'America/New_York',
    );
    expect(line).toBe(
      '• Wed 18 Nov 10:00 — <@U0MGR> *goal.set* <@U0REP> (metric meetings, target 12, note !channel  co)',
    );
    const channel = auditLine(
      { actorId: 'U1', action: 'goal.set', target: 'C0SALES', details: {}, at: new Date(0) },
      'UTC',
    );
    expect(channel).toContain('<#C0SALES>');
  });
});
