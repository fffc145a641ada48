CREATE TABLE "crm_backfills" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"source" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"until" timestamp with time zone NOT NULL,
	"requested_by" text,
	"status" text NOT NULL,
	"stage" text NOT NULL,
	"cursor" jsonb,
	"read" jsonb NOT NULL,
	"estimated" jsonb NOT NULL,
	"read_all_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"error" text,
	"reporter_state" jsonb,
	"started_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "crm_backfills_running" ON "crm_backfills" USING btree ("workspace_id","source") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "crm_backfills_workspace" ON "crm_backfills" USING btree ("workspace_id","source","id");