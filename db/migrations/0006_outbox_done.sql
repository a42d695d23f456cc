ALTER TABLE `outbox` ADD `done_at` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `dedupe_key` text;--> statement-breakpoint
CREATE INDEX `outbox_open` ON `outbox` (`done_at`,`run_at`);--> statement-breakpoint
CREATE INDEX `outbox_dedupe` ON `outbox` (`dedupe_key`,`done_at`);--> statement-breakpoint
-- Rows dispatched before this migration and already due are taken as done (their jobs ran, or
-- were kept as failed jobs in the queue); the sweep watches only rows from now on.
UPDATE `outbox` SET `done_at` = `dispatched_at` WHERE `dispatched_at` IS NOT NULL AND `run_at` <= strftime('%Y-%m-%dT%H:%M:%fZ','now');
