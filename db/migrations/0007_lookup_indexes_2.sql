CREATE INDEX `events_request` ON `events` (`request_id`,`type`);--> statement-breakpoint
CREATE INDEX `messages_provider` ON `messages` (`provider_message_id`);--> statement-breakpoint
CREATE INDEX `requests_national_id` ON `requests` (`national_id`,`association_id`);--> statement-breakpoint
CREATE INDEX `requests_phone` ON `requests` (`phone`,`association_id`);