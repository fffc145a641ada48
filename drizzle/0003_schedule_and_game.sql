CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "board_subscriptions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"metric" text,
	"scorecard" jsonb,
	"cadence" text DEFAULT 'weekly' NOT NULL,
	"day_of_week" integer DEFAULT 1 NOT NULL,
	"day_of_month" integer DEFAULT 1 NOT NULL,
	"time_of_day" text DEFAULT '09:00' NOT NULL,
	"timezone" text NOT NULL,
	"top_n" integer DEFAULT 5 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_run_at" timestamp with time zone NOT NULL,
	"last_window_end" timestamp with time zone,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "coaching_feedback" (
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"nudge_key" text NOT NULL,
	"rule" text NOT NULL,
	"helpful" boolean NOT NULL,
	"answered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coaching_feedback_workspace_id_user_id_nudge_key_pk" PRIMARY KEY("workspace_id","user_id","nudge_key")
);
--> statement-breakpoint
CREATE TABLE "contests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"metric" text,
	"scorecard" jsonb,
	"ranking" text DEFAULT 'goal_percent' NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"timezone" text NOT NULL,
	"channel_id" text NOT NULL,
	"participants" jsonb,
	"prizes" jsonb NOT NULL,
	"min_score" bigint,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"result" jsonb
);
--> statement-breakpoint
CREATE TABLE "kudos" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"giver_id" text NOT NULL,
	"receiver_id" text NOT NULL,
	"reason" text NOT NULL,
	"channel_id" text NOT NULL,
	"given_at" timestamp with time zone NOT NULL,
	"idempotency_key" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"payload" jsonb NOT NULL,
	"subject_user_id" text,
	"ref_type" text,
	"ref_id" bigint,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"claimed_by" text,
	"last_error" text,
	"channel_id" text,
	"message_ts" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reactions" (
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"message_ts" text NOT NULL,
	"reactor_id" text NOT NULL,
	"emoji" text NOT NULL,
	"subject_user_id" text NOT NULL,
	"reacted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "reactions_workspace_id_channel_id_message_ts_reactor_id_emoji_pk" PRIMARY KEY("workspace_id","channel_id","message_ts","reactor_id","emoji")
);
--> statement-breakpoint
ALTER TABLE "goals" ADD COLUMN "suggested_target" bigint;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "manager_id" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_log_workspace" ON "audit_log" USING btree ("workspace_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "board_subscriptions_channel_metric" ON "board_subscriptions" USING btree ("workspace_id","channel_id",coalesce("metric", 'scorecard')) WHERE "board_subscriptions"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "board_subscriptions_due" ON "board_subscriptions" USING btree ("next_run_at") WHERE "board_subscriptions"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "contests_workspace" ON "contests" USING btree ("workspace_id","status","ends_at");--> statement-breakpoint
CREATE UNIQUE INDEX "kudos_idempotency" ON "kudos" USING btree ("workspace_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "kudos_giver" ON "kudos" USING btree ("workspace_id","giver_id","given_at");--> statement-breakpoint
CREATE INDEX "kudos_receiver" ON "kudos" USING btree ("workspace_id","receiver_id","given_at");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_key" ON "outbox" USING btree ("workspace_id","key");--> statement-breakpoint
CREATE INDEX "outbox_ready" ON "outbox" USING btree ("not_before","id") WHERE "outbox"."status" in ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "outbox_message" ON "outbox" USING btree ("workspace_id","channel_id","message_ts") WHERE "outbox"."message_ts" is not null;--> statement-breakpoint
CREATE INDEX "reactions_subject" ON "reactions" USING btree ("workspace_id","subject_user_id","reacted_at");--> statement-breakpoint
CREATE INDEX "goals_channel" ON "goals" USING btree ("workspace_id","channel_id") WHERE "goals"."channel_id" is not null;