CREATE TABLE "activities" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"quantity" integer NOT NULL,
	"amount_cents" bigint DEFAULT 0 NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by" text,
	"source" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"reverses_id" bigint,
	"deal_id" bigint,
	"lead_id" bigint,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"source" text NOT NULL,
	"external_id" text NOT NULL,
	"name" text,
	"owner_user_id" text,
	"became_customer_at" timestamp with time zone NOT NULL,
	"churned_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "deal_stage_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"deal_id" bigint NOT NULL,
	"from_stage" text,
	"to_stage" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"source" text NOT NULL,
	"external_id" text NOT NULL,
	"name" text,
	"amount_cents" bigint,
	"cost_cents" bigint,
	"stage" text,
	"status" text DEFAULT 'open' NOT NULL,
	"owner_user_id" text,
	"crm_owner_id" text,
	"customer_id" bigint,
	"deal_type" text,
	"lead_source" text,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "goals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text,
	"channel_id" text,
	"metric" text NOT NULL,
	"target" bigint NOT NULL,
	"period" text NOT NULL,
	"starts_on" date,
	"ends_on" date,
	"set_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "installations" (
	"key" text PRIMARY KEY NOT NULL,
	"team_id" text,
	"enterprise_id" text,
	"is_enterprise_install" boolean DEFAULT false NOT NULL,
	"bot_user_id" text,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leads" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"source" text NOT NULL,
	"external_id" text NOT NULL,
	"owner_user_id" text,
	"lead_source" text,
	"created_at" timestamp with time zone NOT NULL,
	"first_response_at" timestamp with time zone,
	"mql_at" timestamp with time zone,
	"qualified_at" timestamp with time zone,
	"deal_id" bigint
);
--> statement-breakpoint
CREATE TABLE "members" (
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"display_name" text NOT NULL,
	"email" text,
	"timezone" text,
	"is_bot" boolean DEFAULT false NOT NULL,
	"is_deleted" boolean DEFAULT false NOT NULL,
	"is_slack_admin" boolean DEFAULT false NOT NULL,
	"role" text DEFAULT 'rep' NOT NULL,
	"public_opt_out" boolean DEFAULT false NOT NULL,
	"nudges_enabled" boolean DEFAULT true NOT NULL,
	"nudge_time" text DEFAULT '09:00' NOT NULL,
	"profile_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "members_workspace_id_user_id_pk" PRIMARY KEY("workspace_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "spend" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"incurred_on" date NOT NULL,
	"category" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"note" text,
	"idempotency_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"enterprise_id" text,
	"default_timezone" text DEFAULT 'UTC' NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"installed_at" timestamp with time zone,
	"uninstalled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "activities_idempotency" ON "activities" USING btree ("workspace_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "activities_reverses" ON "activities" USING btree ("reverses_id");--> statement-breakpoint
CREATE INDEX "activities_window" ON "activities" USING btree ("workspace_id","occurred_at","user_id","kind","quantity","amount_cents");--> statement-breakpoint
CREATE INDEX "activities_user_window" ON "activities" USING btree ("workspace_id","user_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "customers_external" ON "customers" USING btree ("workspace_id","source","external_id");--> statement-breakpoint
CREATE INDEX "deal_stage_changes_deal" ON "deal_stage_changes" USING btree ("workspace_id","deal_id","changed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deals_external" ON "deals" USING btree ("workspace_id","source","external_id");--> statement-breakpoint
CREATE INDEX "deals_owner" ON "deals" USING btree ("workspace_id","owner_user_id","status");--> statement-breakpoint
CREATE INDEX "goals_user" ON "goals" USING btree ("workspace_id","user_id","metric");--> statement-breakpoint
CREATE UNIQUE INDEX "leads_external" ON "leads" USING btree ("workspace_id","source","external_id");--> statement-breakpoint
CREATE INDEX "leads_created" ON "leads" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "spend_idempotency" ON "spend" USING btree ("workspace_id","idempotency_key");