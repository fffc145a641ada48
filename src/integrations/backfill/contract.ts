import type { CrmEvent, CrmSource } from '../crm-event.js';

/**
 * A backfill reads a window of a CRM's history through its API and stores it as the same events
 * its webhooks produce, so one processor applies both and a record read twice (by two backfills,
 * or by a backfill and a webhook) lands once. These are the parts' contracts: the sources (one per
 * CRM) read pages, the engine stores each page with its checkpoint and keeps going, reporters show
 * progress in Slack and in the CLI.
 *
 * Event ids of a backfill are `backfill:<object type>:<CRM id>:<last modified, ISO>`: the same for
 * an unchanged record however often it is read, new once it changes. Every backfill event carries
 * `backfilled: true`.
 */

/** Read in this order, so an activity finds the deal and lead it links to. */
export const BACKFILL_STAGES = ['deals', 'leads', 'activities'] as const;
export type BackfillStage = (typeof BACKFILL_STAGES)[number];

/**
 * Where a source goes on inside a stage, in its own terms (a HubSpot time slice and `after`, a
 * Salesforce `nextRecordsUrl`, a Pipedrive cursor). Stored in the transaction that stores the
 * page's events, so a run killed anywhere resumes at the first page not stored.
 */
export type BackfillCursor = { readonly [key: string]: string | number | boolean | null };

export interface BackfillWindow {
  since: Date;
  until: Date;
}

export interface BackfillPage {
  /** The page's records as events, in the shapes webhooks produce, each with `backfilled: true`. */
  events: CrmEvent[];
  /** Records the page held: progress counts records, not events. */
  records: number;
  /** The next page of this stage; null when the stage is done. */
  next: BackfillCursor | null;
  /** The CRM's count of the stage's records in the window when it says (HubSpot search `total`), else null. */
  estimatedTotal: number | null;
}

/**
 * One CRM's reader. It keeps nothing between calls: all it needs to go on is in the cursor, so a
 * run resumes in another process. It paces its own requests under its CRM's documented limits.
 * It throws `CrmApiUnavailableError` for what may pass (with `retryAfterSeconds` from a 429's
 * `Retry-After`): the engine waits and reads the same page again. `CrmApiAuthError` (a refused
 * token) stops the run, which then says why.
 */
export interface BackfillSource {
  readonly source: CrmSource;
  readPage(stage: BackfillStage, window: BackfillWindow, cursor: BackfillCursor | null): Promise<BackfillPage>;
  /**
   * The page listed, with what its events need besides (a CRM's batch reads) left to `events()`:
   * the engine lists the pages after it while those reads go on, each kind under its own limit.
   * A source that needs no more than the listing leaves it out.
   */
  listPage?(stage: BackfillStage, window: BackfillWindow, cursor: BackfillCursor | null): Promise<ListedPage>;
}

/** A page whose records are listed and whose next page is known; its events may take more reads. */
export interface ListedPage extends Omit<BackfillPage, 'events'> {
  /** Reads what the events need and makes them; throws as `readPage` does, and may be called again after. */
  events(): Promise<CrmEvent[]>;
}

export type BackfillStatus = 'running' | 'done' | 'failed';

/** A backfill as stored: what it reads, how far it got. */
export interface BackfillRun {
  id: number;
  workspaceId: string;
  source: CrmSource;
  window: BackfillWindow;
  /** The admin who asked (a Slack user id); null from the CLI. */
  requestedBy: string | null;
  status: BackfillStatus;
  /** The stage being read; the last one once done. */
  stage: BackfillStage;
  /** Records read so far, per stage. */
  read: Record<BackfillStage, number>;
  /** The CRM's count per stage where it gives one; null where it does not (yet). */
  estimated: Record<BackfillStage, number | null>;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Why it failed, written for the admin. */
  error: string | null;
}

/** Shows a run's progress: the admin's Slack message, the CLI's bar. */
export interface BackfillReporter {
  /** After each stored page and once at the end; throttles itself. A failure is logged and never stops the run. */
  report(run: BackfillRun): Promise<void>;
}

export interface BackfillRequest {
  workspaceId: string;
  source: CrmSource;
  window: BackfillWindow;
  requestedBy: string | null;
}

/** The app's backfills. */
export interface Backfills {
  /**
   * Starts a backfill in the background, or returns the one already running for this workspace and
   * CRM (a second request joins it rather than reading everything twice). Throws a `UserError` when
   * the CRM is not connected for this workspace.
   */
  start(request: BackfillRequest): Promise<{ run: BackfillRun; alreadyRunning: boolean }>;
  /** The newest run per CRM of a workspace (App Home, `/kpi crm`). */
  latest(workspaceId: string): Promise<BackfillRun[]>;
  /** Resolves when this process has no run going (tests, shutdown). */
  idle(): Promise<void>;
}
