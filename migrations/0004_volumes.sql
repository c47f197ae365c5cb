ALTER TABLE `asset` ADD `depth` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `asset` ADD `volume_asset_id` integer REFERENCES asset(id);--> statement-breakpoint
ALTER TABLE `asset` ADD `slice_index` integer;--> statement-breakpoint
ALTER TABLE `asset` ADD `slice_spacing` real;--> statement-breakpoint
ALTER TABLE `asset` ADD `slice_positions` text;--> statement-breakpoint
CREATE UNIQUE INDEX `asset_volume_slice` ON `asset` (`volume_asset_id`,`slice_index`);