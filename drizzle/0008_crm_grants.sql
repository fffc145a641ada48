CREATE TABLE "crm_oauth_states" (
	"nonce" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"source" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "crm_connections" ADD COLUMN "tokens" text;--> statement-breakpoint
ALTER TABLE "crm_connections" ADD COLUMN "tokens_refused_at" timestamp with time zone;