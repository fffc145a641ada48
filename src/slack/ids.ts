/** Every Slack identifier the app registers, in one place; a test checks them against manifest.json. */
export const COMMAND = '/kpi';

export const ACTIONS = {
  undo: 'kpi_undo',
  nudgeHelpful: 'nudge_helpful',
  nudgeNotHelpful: 'nudge_not_helpful',
  /** "See my position" on a scheduled channel board. */
  boardPosition: 'kpi_board_position',
  settingsScoring: 'kpi_settings_scoring',
  settingsRecognition: 'kpi_settings_recognition',
  /** An admin's choice when erasing a departed rep's personal data. */
  forgetAnonymise: 'kpi_privacy_forget_anonymise',
  forgetDelete: 'kpi_privacy_forget_delete',
  /** "+1 call", "+1 meeting": the prefix of each quick-log button's action id (`kpi_quick_log_<kind>`). */
  quickLog: 'kpi_quick_log',
  /** "Log…": opens the "Log activity" modal. */
  openLogModal: 'kpi_open_log_modal',
  /** "Open HubSpot": a link to the CRM's OAuth consent page; the click itself only needs an ack. */
  crmAuthorize: 'kpi_crm_authorize',
  /** "Connect HubSpot" on an admin's App Home: DMs them the link to the CRM's consent page. */
  crmConnect: 'kpi_crm_connect',
  /** "Backfill 90 days" beside a connected CRM on an admin's App Home: the prefix of each (`kpi_crm_backfill_<crm>`). */
  crmBackfill: 'kpi_crm_backfill',
} as const;

/** Shortcut callback ids: the global "Log activity" and the message shortcut "Log as activity". */
export const SHORTCUTS = {
  logActivity: 'kpi_log_activity',
  logMessage: 'kpi_log_message',
} as const;

/** Modal callback ids. */
export const VIEWS = {
  contestNew: 'kpi_contest_new',
  settingsScoring: 'kpi_settings_scoring',
  settingsRecognition: 'kpi_settings_recognition',
  logActivity: 'kpi_log_activity',
} as const;

/** Workflow Builder custom steps (`functions` in manifest.json), by callback id. */
export const FUNCTIONS = {
  logActivity: 'log_activity',
  getKpi: 'get_rep_kpi',
  postBoard: 'post_leaderboard',
} as const;

export const EVENTS = [
  'app_home_opened',
  'app_uninstalled',
  'message.im',
  'reaction_added',
  'reaction_removed',
  'tokens_revoked',
] as const;

/**
 * Bot scopes the code needs: commands; users.info (+ email for CRM owner mapping); chat for posts
 * and DMs; files for board charts; channel reads for a channel-team's members; history (and opening the DM to
 * read it) to find a post whose delivery was interrupted, so it is not posted twice, and `im:history` for the
 * DMs reps send the app (`message.im`); reactions for kudos counts.
 */
export const BOT_SCOPES = [
  'commands',
  'users:read',
  'users:read.email',
  'chat:write',
  'files:write',
  'channels:read',
  'groups:read',
  'channels:history',
  'groups:history',
  'im:history',
  'im:write',
  'reactions:read',
] as const;
