CREATE TABLE `associations` (
	`id` text PRIMARY KEY NOT NULL,
	`name_ar` text NOT NULL,
	`name_en` text NOT NULL,
	`reference_prefix` text NOT NULL,
	`flow_hash` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `beneficiaries` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`national_id` text,
	`phone` text,
	`name` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `beneficiaries_national_id` ON `beneficiaries` (`association_id`,`national_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `beneficiaries_phone` ON `beneficiaries` (`association_id`,`phone`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`beneficiary_id` text,
	`display_name` text,
	`opted_out` integer DEFAULT false NOT NULL,
	`last_seen_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`beneficiary_id`) REFERENCES `beneficiaries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_address` ON `contacts` (`association_id`,`channel`,`address`);--> statement-breakpoint
CREATE INDEX `contacts_beneficiary` ON `contacts` (`beneficiary_id`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`mode` text NOT NULL,
	`lang` text NOT NULL,
	`state` text NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`assigned_staff_id` text,
	`escalated_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_contact` ON `conversations` (`contact_id`);--> statement-breakpoint
CREATE INDEX `conversations_mode` ON `conversations` (`association_id`,`mode`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`association_id` text NOT NULL,
	`conversation_id` text,
	`request_id` text,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`payload` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_conversation` ON `events` (`conversation_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_type` ON `events` (`association_id`,`type`,`at`);--> statement-breakpoint
CREATE TABLE `media` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`sha256` text NOT NULL,
	`mime` text NOT NULL,
	`size` integer NOT NULL,
	`filename` text,
	`path` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`direction` text NOT NULL,
	`channel` text NOT NULL,
	`channel_message_id` text NOT NULL,
	`author` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`choices` text,
	`media_id` text,
	`status` text DEFAULT 'received' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_id` ON `messages` (`association_id`,`channel`,`direction`,`channel_message_id`);--> statement-breakpoint
CREATE INDEX `messages_conversation` ON `messages` (`conversation_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `reference_counters` (
	`association_id` text NOT NULL,
	`scope` text NOT NULL,
	`last` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reference_counters_scope` ON `reference_counters` (`association_id`,`scope`);--> statement-breakpoint
CREATE TABLE `requests` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`reference` text NOT NULL,
	`form` text NOT NULL,
	`beneficiary_id` text,
	`conversation_id` text NOT NULL,
	`status` text NOT NULL,
	`data` text NOT NULL,
	`national_id` text,
	`phone` text,
	`attested_by_contact_id` text NOT NULL,
	`attested_at` text NOT NULL,
	`attestation_channel` text NOT NULL,
	`attestation_message_id` text NOT NULL,
	`attestation_text` text NOT NULL,
	`attestation_sha256` text NOT NULL,
	`decision_reason` text,
	`submitted_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`beneficiary_id`) REFERENCES `beneficiaries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`attested_by_contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `requests_reference` ON `requests` (`reference`);--> statement-breakpoint
CREATE INDEX `requests_beneficiary` ON `requests` (`beneficiary_id`);--> statement-breakpoint
CREATE INDEX `requests_status` ON `requests` (`association_id`,`status`);--> statement-breakpoint
CREATE TABLE `survey_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`association_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`request_reference` text,
	`rating` integer,
	`answers` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`association_id`) REFERENCES `associations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action
);
