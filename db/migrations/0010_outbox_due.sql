DROP INDEX `outbox_pending`;--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`run_at`) WHERE "outbox"."dispatched_at" IS NULL AND "outbox"."done_at" IS NULL;