ALTER TABLE "uploads" ADD COLUMN "state" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "uploads" ADD COLUMN "urls_valid_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "uploads" ADD COLUMN "fingerprint" text;--> statement-breakpoint
CREATE INDEX "uploads_owner_state_idx" ON "uploads" USING btree ("owner_id","state");--> statement-breakpoint
UPDATE "uploads" SET "state" = 'completed' WHERE "completed_at" IS NOT NULL;--> statement-breakpoint
UPDATE "uploads" SET "urls_valid_until" = "expires_at" WHERE "urls_valid_until" IS NULL;
