CREATE TABLE `audit_event` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`entity` text NOT NULL,
	`entity_id` integer NOT NULL,
	`action` text NOT NULL,
	`before` text,
	`after` text,
	`reason` text NOT NULL,
	`actor` text NOT NULL,
	`actor_token_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaign`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_event_campaign` ON `audit_event` (`campaign_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_event_entity` ON `audit_event` (`entity`,`entity_id`);--> statement-breakpoint
ALTER TABLE `campaign` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `result` ADD `retracted_at` integer;--> statement-breakpoint
ALTER TABLE `result` ADD `retraction_reason` text;--> statement-breakpoint
ALTER TABLE `token` ADD `campaign_ids` text;--> statement-breakpoint
ALTER TABLE `token` ADD `managed_by` text;