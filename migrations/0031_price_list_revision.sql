-- Pricing keeps each tenant's price lists (their heads, not their rows) in memory; this revision
-- tells a server that its copy is out of date. Every change to a price list moves it, in the
-- change's own transaction.
ALTER TABLE tenants ADD COLUMN price_lists_revision BIGINT NOT NULL DEFAULT 0;
{{revision price_lists_revision ON price_lists}}
