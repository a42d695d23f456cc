ALTER TABLE `users` ADD `display_name_ar` text;--> statement-breakpoint
ALTER TABLE `users` ADD `display_name_en` text;--> statement-breakpoint
ALTER TABLE `users` ADD `must_change_password` integer DEFAULT false NOT NULL;