-- Hand-edited after drizzle-kit generate: the copy selected columns the old table does not have.
-- Before this migration every message was handled synchronously, so old rows are processed / sent.
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`association_id` text NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`run_at` text NOT NULL,
	`dispatched_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_pending` ON `outbox` (`dispatched_at`,`id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`direction` text NOT NULL,
	`channel` text NOT NULL,
	`channel_message_id` text NOT NULL,
	`author` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`choices` text,
	`choice_id` text,
	`media_id` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`step_version` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`provider_message_id` text,
	`sent_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_messages`("id", "association_id", "conversation_id", "direction", "channel", "channel_message_id", "author", "body", "choices", "media_id", "status", "created_at") SELECT "id", "association_id", "conversation_id", "direction", "channel", "channel_message_id", "author", "body", "choices", "media_id", CASE WHEN "direction" = 'in' THEN 'processed' ELSE 'sent' END, "created_at" FROM `messages`;--> statement-breakpoint
DROP TABLE `messages`;--> statement-breakpoint
ALTER TABLE `__new_messages` RENAME TO `messages`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_id` ON `messages` (`association_id`,`channel`,`direction`,`channel_message_id`);--> statement-breakpoint
CREATE INDEX `messages_conversation` ON `messages` (`conversation_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_work` ON `messages` (`conversation_id`,`direction`,`status`);--> statement-breakpoint
CREATE INDEX `messages_status` ON `messages` (`direction`,`status`);--> statement-breakpoint
ALTER TABLE `requests` ADD `checks` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `checked_at` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `decided_at` text;