CREATE TABLE "crm_connections" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"source" text NOT NULL,
	"account_id" text,
	"secret" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"source" text NOT NULL,
	"event_id" text NOT NULL,
	"object_key" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"event" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"waiting_for" text,
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_owners" (
	"workspace_id" text NOT NULL,
	"source" text NOT NULL,
	"owner_id" text NOT NULL,
	"email" text,
	"name" text,
	"slack_user_id" text,
	"mapped_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_owners_workspace_id_source_owner_id_pk" PRIMARY KEY("workspace_id","source","owner_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "crm_connections_workspace" ON "crm_connections" USING btree ("workspace_id","source");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_events_dedupe" ON "crm_events" USING btree ("workspace_id","source","event_id");--> statement-breakpoint
CREATE INDEX "crm_events_object" ON "crm_events" USING btree ("workspace_id","source","object_key","occurred_at");--> statement-breakpoint
CREATE INDEX "crm_events_status" ON "crm_events" USING btree ("status","workspace_id");