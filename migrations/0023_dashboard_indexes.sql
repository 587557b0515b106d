-- The dashboard reads a tenant's orders of the last twelve months, whatever their state, and a
-- dealer's home its open change requests; neither had an index that starts with what they ask.
CREATE INDEX orders_tenant_placed ON orders (tenant_id, placed_at);
CREATE INDEX change_requests_tenant_state ON change_requests (tenant_id, state, created_at);
