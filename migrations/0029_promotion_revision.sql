-- Pricing keeps each tenant's promotions in force in memory; this revision tells a server that
-- its copy is out of date. Every change to a promotion's terms, products, categories or
-- audiences, and to the category tree, moves it, in the change's own transaction. Orders using
-- up a promotion's budget (budget_used_minor, quantity_used) do not: usage is always read fresh.
ALTER TABLE tenants ADD COLUMN promotions_revision BIGINT NOT NULL DEFAULT 0;
{{revision promotions_revision ON promotions OF tenant_id, code, name, kind, terms, currency, priority, stackable, starts_on, ends_on, budget_minor, quantity_cap, status}}
{{revision promotions_revision ON promotion_products}}
{{revision promotions_revision ON promotion_audiences}}
{{revision promotions_revision ON categories OF tenant_id, parent_id}}
