-- The manufacturer's legal selling entities (a Russian and a Chinese company, say). Each product
-- is sold by one of them; a confirmed order becomes one sales order per warehouse and sales
-- organisation, because each organisation invoices its own lines.
CREATE TABLE sales_organisations (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX sales_organisations_code ON sales_organisations (tenant_id, code);

-- No organisation: the tenant sells everything through one entity.
ALTER TABLE products ADD COLUMN sales_organisation_id BIGINT REFERENCES sales_organisations (id);
ALTER TABLE sales_orders ADD COLUMN sales_organisation_id BIGINT REFERENCES sales_organisations (id);

DROP INDEX sales_orders_order_warehouse;
CREATE UNIQUE INDEX sales_orders_order_warehouse_organisation
    ON sales_orders (order_id, warehouse_id, COALESCE(sales_organisation_id, 0));
