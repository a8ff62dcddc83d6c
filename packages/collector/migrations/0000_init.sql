CREATE TABLE `credit_slots` (
	`site_id` text NOT NULL,
	`slot` integer NOT NULL,
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
	PRIMARY KEY(`site_id`, `slot`, `action`, `kind`, `widget_id`, `campaign`, `sequence`, `channel`, `conversation`, `agent`, `currency`, `verified`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `group_slots` (
	`site_id` text NOT NULL,
	`slot` integer NOT NULL,
	`group_type` text NOT NULL,
	`group_id` text NOT NULL,
	`started` integer DEFAULT 0 NOT NULL,
	`visitors` blob,
	PRIMARY KEY(`site_id`, `slot`, `group_type`, `group_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `lift_orders` (
	`site_id` text NOT NULL,
	`slot` integer NOT NULL,
	`group_key` text NOT NULL,
	`cohort` integer NOT NULL,
	`currency` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`value_minor` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `slot`, `group_key`, `cohort`, `currency`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `lift_slots` (
	`site_id` text NOT NULL,
	`slot` integer NOT NULL,
	`group_key` text NOT NULL,
	`cohort` integer NOT NULL,
	`converters` integer DEFAULT 0 NOT NULL,
	`visitors` blob,
	PRIMARY KEY(`site_id`, `slot`, `group_key`, `cohort`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `order_slots` (
	`site_id` text NOT NULL,
	`slot` integer NOT NULL,
	`currency` text NOT NULL,
	`verified` integer NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`value_minor` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `slot`, `currency`, `verified`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `site_slots` (
	`site_id` text NOT NULL,
	`slot` integer NOT NULL,
	`metric` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `slot`, `metric`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `touch_slots` (
	`site_id` text NOT NULL,
	`slot` integer NOT NULL,
	`action` text NOT NULL,
	`channel` text NOT NULL,
	`verified` integer NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `slot`, `action`, `channel`, `verified`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `widget_slots` (
	`site_id` text NOT NULL,
	`slot` integer NOT NULL,
	`kind` text NOT NULL,
	`widget_id` text NOT NULL,
	`campaign` text NOT NULL,
	`sequence` text NOT NULL,
	`instances` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`hovers` integer DEFAULT 0 NOT NULL,
	`dismisses` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `slot`, `kind`, `widget_id`, `campaign`, `sequence`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `events` (
	`site_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`event_id` text NOT NULL,
	PRIMARY KEY(`site_id`, `bucket`, `event_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `session_facts` (
	`site_id` text NOT NULL,
	`session_id` text NOT NULL,
	`fact` text NOT NULL,
	`slot` integer NOT NULL,
	PRIMARY KEY(`site_id`, `session_id`, `fact`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `touches` (
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`ts` integer NOT NULL,
	`event_id` text NOT NULL,
	`session_id` text NOT NULL,
	`type` text NOT NULL,
	`action` text,
	`kind` text,
	`widget_id` text,
	`campaign` text,
	`sequence` text,
	`link_id` text,
	`channel` text,
	`conversation` text,
	`agent` text,
	`client_ts` integer NOT NULL,
	PRIMARY KEY(`site_id`, `visitor_id`, `ts`, `event_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `customer_visitors` (
	`site_id` text NOT NULL,
	`customer_hash` text NOT NULL,
	`visitor_id` text NOT NULL,
	`learned_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `customer_hash`, `visitor_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `exposures` (
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`group_key` text NOT NULL,
	`cohort` integer NOT NULL,
	`first_ts` integer NOT NULL,
	`converted_ts` integer,
	PRIMARY KEY(`site_id`, `visitor_id`, `group_key`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `visitor_customers` (
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`customer_hash` text NOT NULL,
	`learned_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `visitor_id`, `customer_hash`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at` integer NOT NULL,
	`body` text NOT NULL,
	`attempts` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`site_id` text NOT NULL,
	`kind` text NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`cursor` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`parked_reason` text,
	PRIMARY KEY(`site_id`, `kind`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `site_steps` (
	`site_id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `step_guard` (
	`must_not_be_null` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `agent_hours` (
	`site_id` text NOT NULL,
	`agent` text NOT NULL,
	`date` text NOT NULL,
	`hours` real NOT NULL,
	PRIMARY KEY(`site_id`, `agent`, `date`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `conversations` (
	`site_id` text NOT NULL,
	`conversation` text NOT NULL,
	`first_link_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `conversation`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `links` (
	`site_id` text NOT NULL,
	`link_id` text NOT NULL,
	`conversation` text NOT NULL,
	`channel` text NOT NULL,
	`agent` text NOT NULL,
	`url` text NOT NULL,
	`issued_at` integer NOT NULL,
	`recipient_visitor` text,
	`recipient_ts` integer,
	PRIMARY KEY(`site_id`, `link_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `links_site_issued` ON `links` (`site_id`,`issued_at`);--> statement-breakpoint
CREATE TABLE `order_reports` (
	`site_id` text NOT NULL,
	`order_id` text NOT NULL,
	`seq` integer NOT NULL,
	`source` text NOT NULL,
	`visitor_id` text,
	`customer_hash` text,
	`ts` integer,
	`value_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `order_id`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `orders` (
	`site_id` text NOT NULL,
	`order_id` text NOT NULL,
	`visitor_id` text,
	`customer_hash` text,
	`ts` integer NOT NULL,
	`value_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`verified` integer NOT NULL,
	`applied` text,
	`erased` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `order_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `orders_site_visitor_ts` ON `orders` (`site_id`,`visitor_id`,`ts`);--> statement-breakpoint
CREATE INDEX `orders_site_customer` ON `orders` (`site_id`,`customer_hash`) WHERE customer_hash is not null;--> statement-breakpoint
CREATE TABLE `api_keys` (
	`hash` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `api_keys_site` ON `api_keys` (`site_id`);--> statement-breakpoint
CREATE TABLE `site_secrets` (
	`site_id` text NOT NULL,
	`purpose` text NOT NULL,
	`key_id` integer NOT NULL,
	`secret` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `purpose`, `key_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`settings` text NOT NULL,
	`database` text DEFAULT 'DB' NOT NULL,
	`settings_version` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
) WITHOUT ROWID;
