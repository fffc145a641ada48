CREATE TABLE "crm_activity_mappings" (
	"workspace_id" text NOT NULL,
	"source" text NOT NULL,
	"crm_key" text NOT NULL,
	"kinds" text[] NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_activity_mappings_workspace_id_source_crm_key_pk" PRIMARY KEY("workspace_id","source","crm_key")
);
--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "external_id" text;--> statement-breakpoint
CREATE INDEX "activities_external" ON "activities" USING btree ("workspace_id","source","external_id") WHERE "activities"."external_id" is not null;