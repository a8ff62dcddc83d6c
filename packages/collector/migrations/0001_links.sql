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
	`links` integer NOT NULL,
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
CREATE INDEX `link_landings_site_conversation_visitor` ON `link_landings` (`site_id`,`conversation`,`visitor_id`,`ts`);--> statement-breakpoint
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
CREATE INDEX `links_site_conversation` ON `links` (`site_id`,`conversation`);