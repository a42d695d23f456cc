DROP INDEX "events_request";--> statement-breakpoint
CREATE INDEX "events_request" ON "events" USING btree ("request_id","type") WHERE "events"."request_id" IS NOT NULL;