CREATE TABLE `offline_contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`beneficiary_id` text NOT NULL,
	`kind` text NOT NULL,
	`direction` text NOT NULL,
	`summary` text NOT NULL,
	`occurred_at` text NOT NULL,
	`recorded_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`beneficiary_id`) REFERENCES `beneficiaries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `offline_contacts_beneficiary` ON `offline_contacts` (`beneficiary_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `staff_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`conversation_id` text,
	`beneficiary_id` text,
	`author_id` text NOT NULL,
	`body` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`beneficiary_id`) REFERENCES `beneficiaries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `staff_notes_conversation` ON `staff_notes` (`conversation_id`);--> statement-breakpoint
CREATE INDEX `staff_notes_beneficiary` ON `staff_notes` (`beneficiary_id`);--> statement-breakpoint
ALTER TABLE `beneficiaries` ADD `erased_at` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `field_marks` text;