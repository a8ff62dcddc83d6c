CREATE TABLE `api_keys` (
	`hash` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `api_keys_site` ON `api_keys` (`site_id`);--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`settings` text NOT NULL,
	`link_secret` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`site_id` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`visitor_id` text NOT NULL,
	`session_id` text NOT NULL,
	`ts` integer NOT NULL,
	`client_ts` integer NOT NULL,
	`received_at` integer NOT NULL,
	`path` text NOT NULL,
	`kind` text,
	`widget_id` text,
	`campaign` text,
	`sequence` text,
	`token` text,
	`order_id` text,
	`value_minor` integer,
	`currency` text,
	PRIMARY KEY(`site_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `events_site_widget_ts` ON `events` (`site_id`,`widget_id`,`ts`);--> statement-breakpoint
CREATE INDEX `events_site_visitor_ts` ON `events` (`site_id`,`visitor_id`,`ts`);--> statement-breakpoint
CREATE TABLE `interactions` (
	`site_id` text NOT NULL,
	`event_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`session_id` text NOT NULL,
	`ts` integer NOT NULL,
	`action` text NOT NULL,
	`kind` text,
	`widget_id` text,
	`campaign` text,
	`sequence` text,
	`channel` text,
	`conversation` text,
	`agent` text,
	`link_id` text,
	`forwarded` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`site_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `interactions_site_visitor_ts` ON `interactions` (`site_id`,`visitor_id`,`ts`);