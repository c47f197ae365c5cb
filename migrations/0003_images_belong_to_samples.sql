ALTER TABLE `asset` ADD `sample_id` integer REFERENCES sample(id);--> statement-breakpoint
ALTER TABLE `asset` ADD `pixel_size` real;--> statement-breakpoint
ALTER TABLE `asset` ADD `pixel_unit` text;--> statement-breakpoint
CREATE INDEX `asset_sample` ON `asset` (`sample_id`);--> statement-breakpoint
ALTER TABLE `campaign` ADD `image_measurements` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `result` ADD `std` text;--> statement-breakpoint
ALTER TABLE `result` ADD `model_id` integer REFERENCES model(id);--> statement-breakpoint
ALTER TABLE `result` ADD `superseded_at` integer;