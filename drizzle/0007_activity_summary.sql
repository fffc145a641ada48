CREATE TABLE "activity_summary" (
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"note_chars" integer NOT NULL,
	"entries" integer NOT NULL,
	"quantity" bigint NOT NULL,
	"amount_cents" bigint NOT NULL,
	"unpriced_quantity" bigint NOT NULL
);
--> statement-breakpoint
-- Hand-added after generation: INCLUDE makes the indexes cover the sums (drizzle-kit cannot say it),
-- then the functions and trigger that keep the summary, and the backfill of existing logs.
CREATE UNIQUE INDEX "activity_summary_key" ON "activity_summary" USING btree ("workspace_id","user_id","bucket","kind","note_chars") INCLUDE ("entries","quantity","amount_cents","unpriced_quantity");--> statement-breakpoint
CREATE INDEX "activity_summary_window" ON "activity_summary" USING btree ("workspace_id","bucket","user_id","kind") INCLUDE ("note_chars","quantity","amount_cents","unpriced_quantity");--> statement-breakpoint
CREATE INDEX "activity_summary_kind_window" ON "activity_summary" USING btree ("workspace_id","kind","bucket","user_id") INCLUDE ("note_chars","quantity","amount_cents","unpriced_quantity");--> statement-breakpoint
-- The quarter-hour of UTC an entry is summed in.
CREATE FUNCTION activity_bucket(at timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN date_bin('15 minutes', at, timestamptz '2000-01-01 00:00:00+00');
--> statement-breakpoint
-- The note length quality gates compare with (at most 280, their maximum): a reversal passes a gate
-- when it or the entry it reverses does, so it carries the longer of the two notes.
CREATE FUNCTION activity_note_chars(note text, original_note text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN least(greatest(char_length(coalesce(note, '')), char_length(coalesce(original_note, ''))), 280);
--> statement-breakpoint
-- The summary recomputed from the log: what a rebuild writes, and what a test compares it with.
CREATE VIEW activity_summary_from_log AS
  SELECT a.workspace_id, a.user_id, activity_bucket(a.occurred_at) AS bucket, a.kind,
         activity_note_chars(a.note, o.note) AS note_chars,
         count(*)::int AS entries, sum(a.quantity)::bigint AS quantity, sum(a.amount_cents)::bigint AS amount_cents,
         coalesce(sum(a.quantity) FILTER (WHERE a.amount_cents = 0), 0)::bigint AS unpriced_quantity
  FROM activities a LEFT JOIN activities o ON o.id = a.reverses_id
  GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
-- Adds a statement's rows to the summary (and takes away the rows it removed), in the writing
-- transaction, so a reader never sees the log and the summary disagree. One grouped upsert per
-- statement: a bulk insert costs one pass, and `+` in the upsert keeps concurrent writers' counts.
CREATE FUNCTION activity_summary_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- A removed reversal whose original went in the same statement takes the original's old note.
  removed_rows constant text := 'select c.*, -1 as sign, case when ro.id is not null then ro.note else o.note end as original_note
    from removed c left join removed ro on ro.id = c.reverses_id left join activities o on o.id = c.reverses_id';
  added_rows constant text := 'select c.*, 1 as sign, o.note as original_note
    from added c left join activities o on o.id = c.reverses_id';
  changes text := CASE TG_OP WHEN 'INSERT' THEN added_rows WHEN 'DELETE' THEN removed_rows
    ELSE added_rows || ' union all ' || removed_rows END;
BEGIN
  -- Shared with every writer of the workspace, exclusive for its rebuild (src/db/activity-summary.ts).
  EXECUTE format('select count(pg_advisory_xact_lock_shared(hashtextextended(''activity_summary:'' || w, 0)))
    from (select distinct workspace_id as w from (%s) c order by 1) ws', changes);
  EXECUTE format('insert into activity_summary as s
      (workspace_id, user_id, bucket, kind, note_chars, entries, quantity, amount_cents, unpriced_quantity)
    select workspace_id, user_id, activity_bucket(occurred_at), kind, activity_note_chars(note, original_note),
      sum(sign), sum(sign * quantity), sum(sign * amount_cents),
      coalesce(sum(sign * quantity) filter (where amount_cents = 0), 0)
    from (%s) c group by 1, 2, 3, 4, 5
    on conflict (workspace_id, user_id, bucket, kind, note_chars) do update set
      entries = s.entries + excluded.entries, quantity = s.quantity + excluded.quantity,
      amount_cents = s.amount_cents + excluded.amount_cents,
      unpriced_quantity = s.unpriced_quantity + excluded.unpriced_quantity', changes);
  IF TG_OP <> 'INSERT' THEN
    EXECUTE format('delete from activity_summary s using (select distinct workspace_id, user_id from (%s) c) r
      where s.workspace_id = r.workspace_id and s.user_id = r.user_id and s.entries = 0', changes);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER activity_summary_insert AFTER INSERT ON activities
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION activity_summary_apply();
--> statement-breakpoint
CREATE TRIGGER activity_summary_update AFTER UPDATE ON activities
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION activity_summary_apply();
--> statement-breakpoint
CREATE TRIGGER activity_summary_delete AFTER DELETE ON activities
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION activity_summary_apply();
--> statement-breakpoint
-- Backfill: a live database's existing log.
INSERT INTO activity_summary SELECT * FROM activity_summary_from_log;
