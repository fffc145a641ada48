import { SHARE_CAP } from '../kpi/weighted-score.js';
import { STANDINGS_TIME } from './contest.js';

/**
 * How contests are scored, for `/kpi explain contests` (Slack mrkdwn). The same rules are coded in
 * scoring.ts and contest-standings.ts; each post's method line states the ones that applied.
 */
export const CONTEST_RULES = [
  "• *Percent of your own goal* (the default): your total over the contest ÷ your goal for that metric, scaled to the contest's working days (a weekly goal of 10 demos is 20 for a two-week contest). So a rep with a smaller territory and a smaller goal competes on equal terms.",
  '• *No goal?* You are measured against the median goal of the participants who have one. If nobody has a goal for the metric, the contest ranks raw totals instead, and says so.',
  '• *Raw value*: when the manager chose it, the plain total (calls, demos, revenue …).',
  `• *Weighted scorecard*: each metric scores its share of its target (your own goal where you have one), capped at ${SHARE_CAP * 100}% so one metric cannot carry the rest, weighted, out of 100 points.`,
  '• *Quality gates*: where the workspace sets one, an entry counts only with an outcome note (e.g. a conversation with what was agreed), so logging junk does not win. An undo takes back exactly the credit given.',
  '• *Ties* share a place and its prize (1, 2, 2, 4). *Nobody at zero wins*, nor anyone below the minimum score. With a threshold prize, everyone at or above it wins.',
  `• *Posts*: a start post, standings every working day at ${String(STANDINGS_TIME.hour).padStart(2, '0')}:${String(STANDINGS_TIME.minute).padStart(2, '0')} in the contest's timezone (the top places only, never the bottom), and the result, tagging the winners.`,
  '• *Privacy*: if you opted out of public posts (`/kpi privacy hide`), you keep your real place and can still win, but you are never named in a channel; `/kpi contest` shows you your place and what you need for the next prize.',
  '• *Who takes part*: the people the manager named, or everyone in the contest channel (read when scores are worked out); bots never.',
];

export const CONTEST_EXPLANATION = ['*How contests are scored*', ...CONTEST_RULES].join('\n');
