CREATE TABLE `distinct_facts` (
	`site_id` text NOT NULL,
	`fact` text NOT NULL,
	`subject` text NOT NULL,
	`member` text NOT NULL,
	`day` integer NOT NULL,
	PRIMARY KEY(`site_id`, `fact`, `subject`, `member`)
);
--> statement-breakpoint
CREATE TABLE `group_daily` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`group_type` text NOT NULL,
	`group_id` text NOT NULL,
	`started` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `group_type`, `group_id`)
);
--> statement-breakpoint
CREATE TABLE `group_visitor_daily` (
	`site_id` text NOT NULL,
	`group_type` text NOT NULL,
	`group_id` text NOT NULL,
	`day` integer NOT NULL,
	`visitor_id` text NOT NULL,
	PRIMARY KEY(`site_id`, `group_type`, `group_id`, `day`, `visitor_id`)
);
--> statement-breakpoint
CREATE TABLE `order_credit_daily` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`action` text NOT NULL,
	`kind` text NOT NULL,
	`widget_id` text NOT NULL,
	`campaign` text NOT NULL,
	`sequence` text NOT NULL,
	`channel` text NOT NULL,
	`conversation` text NOT NULL,
	`agent` text NOT NULL,
	`currency` text NOT NULL,
	`verified` integer NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`value_minor` integer DEFAULT 0 NOT NULL,
	`ms_to_order` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `action`, `kind`, `widget_id`, `campaign`, `sequence`, `channel`, `conversation`, `agent`, `currency`, `verified`)
);
--> statement-breakpoint
CREATE INDEX `order_credit_daily_site_action_day` ON `order_credit_daily` (`site_id`,`action`,`day`);--> statement-breakpoint
CREATE TABLE `order_daily` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`currency` text NOT NULL,
	`verified` integer NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`value_minor` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `currency`, `verified`)
);
--> statement-breakpoint
CREATE TABLE `order_touch_daily` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`action` text NOT NULL,
	`channel` text NOT NULL,
	`verified` integer NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `action`, `channel`, `verified`)
);
--> statement-breakpoint
CREATE TABLE `widget_daily` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`kind` text NOT NULL,
	`widget_id` text NOT NULL,
	`campaign` text NOT NULL,
	`sequence` text NOT NULL,
	`instances` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`hovers` integer DEFAULT 0 NOT NULL,
	`dismisses` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `kind`, `widget_id`, `campaign`, `sequence`)
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
CREATE INDEX `interactions_site_visitor_ts` ON `interactions` (`site_id`,`visitor_id`,`ts`);--> statement-breakpoint
CREATE TABLE `invalid_landings_daily` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`reason` text NOT NULL,
	`landings` integer NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `reason`)
);
--> statement-breakpoint
CREATE TABLE `link_contacts_daily` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`channel` text NOT NULL,
	`agent` text NOT NULL,
	`conversation` text NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `channel`, `agent`, `conversation`)
);
--> statement-breakpoint
CREATE TABLE `link_landings` (
	`site_id` text NOT NULL,
	`link_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`event_id` text NOT NULL,
	`ts` integer NOT NULL,
	`conversation` text NOT NULL,
	`forwarded` integer NOT NULL,
	PRIMARY KEY(`site_id`, `link_id`, `visitor_id`)
);
--> statement-breakpoint
CREATE TABLE `links` (
	`site_id` text NOT NULL,
	`link_id` text NOT NULL,
	`conversation` text NOT NULL,
	`channel` text NOT NULL,
	`agent` text,
	`url` text NOT NULL,
	`issued_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `link_id`)
);
--> statement-breakpoint
CREATE TABLE `attribution_queue` (
	`site_id` text NOT NULL,
	`subject` text NOT NULL,
	`subject_id` text NOT NULL,
	`token` text NOT NULL,
	`queued_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `subject`, `subject_id`)
);
--> statement-breakpoint
CREATE INDEX `attribution_queue_site` ON `attribution_queue` (`site_id`,`queued_at`);--> statement-breakpoint
CREATE TABLE `order_sources` (
	`site_id` text NOT NULL,
	`order_id` text NOT NULL,
	`source` text NOT NULL,
	`source_key` text NOT NULL,
	`visitor_id` text,
	`ts` integer,
	`value_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `order_id`, `source`, `source_key`)
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`site_id` text NOT NULL,
	`order_id` text NOT NULL,
	`visitor_id` text,
	`ts` integer NOT NULL,
	`value_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`verified` integer NOT NULL,
	`credited_event_id` text,
	`applied` text,
	`version` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `order_id`)
);
--> statement-breakpoint
CREATE INDEX `orders_site_visitor_ts` ON `orders` (`site_id`,`visitor_id`,`ts`);--> statement-breakpoint
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
