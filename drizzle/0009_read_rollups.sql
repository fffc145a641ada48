CREATE TABLE "activity_day_zones" (
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"zone" text NOT NULL,
	CONSTRAINT "activity_day_zones_workspace_id_user_id_pk" PRIMARY KEY("workspace_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "activity_days" (
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"note_chars" integer NOT NULL,
	"entries" integer NOT NULL,
	"quantity" bigint NOT NULL,
	"amount_cents" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "activity_days_key" ON "activity_days" USING btree ("workspace_id","user_id","day","kind","note_chars");--> statement-breakpoint
-- Hand-added after generation: INCLUDE makes the key cover the sums (drizzle-kit cannot say it), then
-- the zone each rep's days are kept in, the functions and triggers that keep the days, and the backfill.
DROP INDEX "activity_days_key";--> statement-breakpoint
CREATE UNIQUE INDEX "activity_days_key" ON "activity_days" USING btree ("workspace_id","user_id","day","kind","note_chars") INCLUDE ("entries","quantity","amount_cents");--> statement-breakpoint
-- A rep's zone as the app reads it (their own, else the workspace's default), UTC when it is not an
-- IANA name PostgreSQL knows: a bad zone must not fail a write. Readers compare it with theirs.
CREATE FUNCTION activity_rep_zone(ws text, uid text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  zone text := coalesce((SELECT m.timezone FROM members m WHERE m.workspace_id = ws AND m.user_id = uid),
                        (SELECT w.default_timezone FROM workspaces w WHERE w.id = ws));
BEGIN
  IF zone IS NULL OR zone !~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$' THEN
    RETURN 'UTC';
  END IF;
  PERFORM now() AT TIME ZONE zone;
  RETURN zone;
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN 'UTC';
END
$$;
--> statement-breakpoint
-- The days recomputed from the log, in each rep's kept zone: what a rebuild writes, and what a test compares with.
CREATE VIEW activity_days_from_log AS
  SELECT a.workspace_id, a.user_id, (a.occurred_at AT TIME ZONE z.zone)::date AS day, a.kind,
         activity_note_chars(a.note, o.note) AS note_chars,
         count(*)::int AS entries, sum(a.quantity)::bigint AS quantity, sum(a.amount_cents)::bigint AS amount_cents
  FROM activities a
  JOIN activity_day_zones z ON z.workspace_id = a.workspace_id AND z.user_id = a.user_id
  LEFT JOIN activities o ON o.id = a.reverses_id
  GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
-- Recomputes one rep's days in their current zone (a zone change, a member appearing after their
-- first entries). The zone row is updated first: it waits for writers of the rep in flight, which
-- hold it (see activity_summary_apply), so the log read after it has their entries.
CREATE FUNCTION activity_days_rezone(ws text, uid text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE activity_day_zones SET zone = activity_rep_zone(ws, uid) WHERE workspace_id = ws AND user_id = uid;
  DELETE FROM activity_days WHERE workspace_id = ws AND user_id = uid;
  INSERT INTO activity_days SELECT * FROM activity_days_from_log WHERE workspace_id = ws AND user_id = uid;
END
$$;
--> statement-breakpoint
-- A member's zone set or changed (or the member row appearing or going): rebuild the days of reps whose kept
-- zone is no longer theirs. Under the workspace's summary lock, shared, as every writer.
CREATE FUNCTION activity_days_member_zone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rep record;
BEGIN
  FOR rep IN
    SELECT z.workspace_id, z.user_id FROM activity_day_zones z
    JOIN (SELECT DISTINCT workspace_id, user_id FROM changed) c ON c.workspace_id = z.workspace_id AND c.user_id = z.user_id
    WHERE z.zone <> activity_rep_zone(z.workspace_id, z.user_id)
    ORDER BY 1, 2
  LOOP
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('activity_summary:' || rep.workspace_id, 0));
    PERFORM activity_days_rezone(rep.workspace_id, rep.user_id);
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER activity_days_member_insert AFTER INSERT ON members
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION activity_days_member_zone();
--> statement-breakpoint
CREATE TRIGGER activity_days_member_update AFTER UPDATE ON members
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION activity_days_member_zone();
--> statement-breakpoint
CREATE TRIGGER activity_days_member_delete AFTER DELETE ON members
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION activity_days_member_zone();
--> statement-breakpoint
-- The workspace's default zone changed: reps without a zone of their own move with it.
CREATE FUNCTION activity_days_workspace_zone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rep record;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtextextended('activity_summary:' || NEW.id, 0));
  FOR rep IN
    SELECT user_id FROM activity_day_zones
    WHERE workspace_id = NEW.id AND zone <> activity_rep_zone(workspace_id, user_id) ORDER BY 1
  LOOP
    PERFORM activity_days_rezone(NEW.id, rep.user_id);
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER activity_days_workspace_zone AFTER UPDATE OF default_timezone ON workspaces
  FOR EACH ROW WHEN (OLD.default_timezone IS DISTINCT FROM NEW.default_timezone)
  EXECUTE FUNCTION activity_days_workspace_zone();
--> statement-breakpoint
-- A statement's changes to the log, as the summary's trigger reads them (migration activity_summary):
-- added rows with sign 1, removed rows with sign -1, each with the note of the entry it reverses (a
-- removed reversal whose original went in the same statement takes the original's old note).
CREATE FUNCTION activity_changes(op text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  added_rows constant text := 'select c.*, 1 as sign, o.note as original_note from added c left join activities o on o.id = c.reverses_id';
  removed_rows constant text := 'select c.*, -1 as sign, case when ro.id is not null then ro.note else o.note end as original_note from removed c left join removed ro on ro.id = c.reverses_id left join activities o on o.id = c.reverses_id';
BEGIN
  RETURN CASE op WHEN 'INSERT' THEN added_rows WHEN 'DELETE' THEN removed_rows ELSE added_rows || ' union all ' || removed_rows END;
END
$$;
--> statement-breakpoint
-- Adds a statement's rows to the days (and takes away the rows it removed), in the writing
-- transaction and under the summary's lock (shared; exclusive for a rebuild), as activity_summary_apply.
CREATE FUNCTION activity_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changes constant text := activity_changes(TG_OP);
BEGIN
  EXECUTE format('select count(pg_advisory_xact_lock_shared(hashtextextended(''activity_summary:'' || w, 0)))
    from (select distinct workspace_id as w from (%s) c order by 1) ws', changes);
  -- A rep's first entry fixes the zone their days are kept in; holding the zone row (FOR SHARE)
  -- makes a zone change wait for this transaction, and this one wait for a change in flight.
  EXECUTE format('insert into activity_day_zones (workspace_id, user_id, zone)
    select workspace_id, user_id, activity_rep_zone(workspace_id, user_id)
    from (select distinct workspace_id, user_id from (%s) c) r order by 1, 2
    on conflict do nothing', changes);
  EXECUTE format('select count(*) from (select 1 from activity_day_zones z
    join (select distinct workspace_id, user_id from (%s) c) r on r.workspace_id = z.workspace_id and r.user_id = z.user_id
    order by z.workspace_id, z.user_id for share of z) locked', changes);
  EXECUTE format('insert into activity_days as d (workspace_id, user_id, day, kind, note_chars, entries, quantity, amount_cents)
    select c.workspace_id, c.user_id, (c.occurred_at at time zone z.zone)::date, c.kind,
      activity_note_chars(c.note, c.original_note), sum(c.sign), sum(c.sign * c.quantity), sum(c.sign * c.amount_cents)
    from (%s) c join activity_day_zones z on z.workspace_id = c.workspace_id and z.user_id = c.user_id
    group by 1, 2, 3, 4, 5
    on conflict (workspace_id, user_id, day, kind, note_chars) do update set
      entries = d.entries + excluded.entries, quantity = d.quantity + excluded.quantity,
      amount_cents = d.amount_cents + excluded.amount_cents', changes);
  IF TG_OP <> 'INSERT' THEN
    EXECUTE format('delete from activity_days d using (select distinct workspace_id, user_id from (%s) c) r
      where d.workspace_id = r.workspace_id and d.user_id = r.user_id and d.entries = 0', changes);
    -- A rep with nothing left (forgotten, or every entry moved away) keeps no zone either.
    EXECUTE format('delete from activity_day_zones z using (select distinct workspace_id, user_id from (%s) c) r
      where z.workspace_id = r.workspace_id and z.user_id = r.user_id
        and not exists (select 1 from activity_days d where d.workspace_id = z.workspace_id and d.user_id = z.user_id)', changes);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER activity_days_insert AFTER INSERT ON activities
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION activity_days_apply();
--> statement-breakpoint
CREATE TRIGGER activity_days_update AFTER UPDATE ON activities
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION activity_days_apply();
--> statement-breakpoint
CREATE TRIGGER activity_days_delete AFTER DELETE ON activities
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION activity_days_apply();
--> statement-breakpoint
-- Backfill: a live database's existing log.
INSERT INTO activity_day_zones (workspace_id, user_id, zone)
  SELECT workspace_id, user_id, activity_rep_zone(workspace_id, user_id)
  FROM (SELECT DISTINCT workspace_id, user_id FROM activities) r;
--> statement-breakpoint
INSERT INTO activity_days SELECT * FROM activity_days_from_log;
