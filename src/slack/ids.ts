/** Every Slack identifier the app registers, in one place; a test checks them against manifest.json. */
export const COMMAND = '/kpi';

export const ACTIONS = {
  undo: 'kpi_undo',
} as const;

export const EVENTS = ['app_uninstalled', 'tokens_revoked'] as const;

/** Bot scopes the code needs: commands, users.info (+ email for CRM owner mapping), chat. */
export const BOT_SCOPES = ['commands', 'users:read', 'users:read.email', 'chat:write'] as const;
