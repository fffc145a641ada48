/**
 * Every error the app throws on purpose has a code from this one list, namespaced as Bolt's are
 * (`slack_bolt_…`), so logs, metrics and tests tell errors apart by code, never by message text.
 * The message is written for whoever can act on it: the operator for start-up and background
 * errors, the person who asked for a user error (sent back to them ephemerally in Slack).
 */
export const ErrorCode = {
  // Start-up and operations: the message says what the operator should do.
  DatabaseUnavailable: 'kpi_bot.database_unavailable',
  EmbeddedDatabaseMissing: 'kpi_bot.embedded_database_missing',
  DataDirLocked: 'kpi_bot.data_dir_locked',
  BackupFailed: 'kpi_bot.backup_failed',
  SecretKeyUnknown: 'kpi_bot.secret_key_unknown',
  SlackAuthFailed: 'kpi_bot.slack_auth_failed',
  ChartFontMissing: 'kpi_bot.chart_font_missing',
  NotPreviewable: 'kpi_bot.not_previewable',
  // Background work: logged, and the work waits or is retried.
  CrmApiUnavailable: 'kpi_bot.crm_api_unavailable',
  CrmApiAuth: 'kpi_bot.crm_api_auth',
  NoInstallation: 'kpi_bot.no_installation',
  ChannelTeam: 'kpi_bot.channel_team',
  // User errors: a request refused for a reason the person can act on.
  NotAManager: 'kpi_bot.not_a_manager',
  NotAnAdmin: 'kpi_bot.not_an_admin',
  /** A backfill asked of a CRM this workspace has not connected (or whose grant was refused). */
  CrmNotConnected: 'kpi_bot.crm_not_connected',
  BackfillWindowInvalid: 'kpi_bot.backfill_window_invalid',
  // A Workflow Builder step that cannot run as asked: its message goes to the workflow's author.
  WorkflowStepRefused: 'kpi_bot.workflow_step_refused',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error with a code from the list; each kind names its code as `readonly code = ErrorCode.X`. */
export abstract class CodedError extends Error {
  abstract readonly code: ErrorCode;
}

/**
 * A request refused for a reason the person can act on: its message is what they are told, as an
 * ephemeral reply (`slack/user-errors.ts`), and nothing is logged as a failure.
 */
export class UserError extends CodedError {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
