CREATE INDEX `messages_key` ON `messages` (`channel_message_id`);--> statement-breakpoint
CREATE INDEX `requests_conversation` ON `requests` (`conversation_id`);