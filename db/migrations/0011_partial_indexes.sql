DROP INDEX `outbox_due`;--> statement-breakpoint
DROP INDEX `events_request`;--> statement-breakpoint
CREATE INDEX `events_request` ON `events` (`request_id`,`type`) WHERE "events"."request_id" IS NOT NULL;--> statement-breakpoint
DROP INDEX `messages_key`;--> statement-breakpoint
DROP INDEX `messages_provider`;--> statement-breakpoint
CREATE INDEX `messages_key` ON `messages` (`channel_message_id`) WHERE "messages"."direction" = 'out';--> statement-breakpoint
CREATE INDEX `messages_provider` ON `messages` (`provider_message_id`) WHERE "messages"."provider_message_id" IS NOT NULL;