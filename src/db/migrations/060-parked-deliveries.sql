-- Webhook deliveries parked after their last attempt, counted for GET /metrics at every scrape
-- (thalamus_webhook_backlog): delivered rows are kept, so without this index each count would
-- read the whole table. Pending ones already have deliveries_due_idx (migration 041).
CREATE INDEX IF NOT EXISTS deliveries_parked_idx ON deliveries (subscription) WHERE state = 'failed';
