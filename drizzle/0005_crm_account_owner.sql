-- Added by hand to the generated index below: where two workspaces claimed one CRM account, the
-- first claim keeps it (the later one could not prove ownership either) and the index can be built.
DELETE FROM "crm_connections" AS "later" USING "crm_connections" AS "earlier"
WHERE "later"."source" = "earlier"."source" AND "later"."account_id" = "earlier"."account_id"
  AND ("earlier"."created_at", "earlier"."id") < ("later"."created_at", "later"."id");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_connections_account" ON "crm_connections" USING btree ("source","account_id");
