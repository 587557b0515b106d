-- Placing an order writes about twenty ledger rows: its lines and its stock reservations. Each
-- checked its tenant, product, warehouse and user against their tables. On SQLite every product
-- check read a random page of the products table inside the one writer's transaction; on
-- PostgreSQL each check is a query of its own that also locks the parent row, which writes to
-- the product's page. They were a fifth of the writer's time on SQLite and most of the lines'
-- insert time on PostgreSQL.
--
-- Tenants, products, warehouses and users are never deleted, and the writer takes these ids from
-- rows it has just read. So the ledgers keep only the references to their order (and sales
-- order), and those four tables refuse deletes instead. SQLite cannot drop a reference in place,
-- so both tables are rebuilt, keeping their rows and ids.
CREATE TABLE order_lines_next (
    id {{id}},
    tenant_id BIGINT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    line_number BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('regular', 'free', 'bundle_component')),
    bundle_product_id BIGINT,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    confirmed_quantity BIGINT CHECK (confirmed_quantity >= 0 AND confirmed_quantity <= quantity),
    unit_list_price_minor BIGINT NOT NULL,
    unit_net_price_minor BIGINT NOT NULL,
    line_total_minor BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    -- the promotions applied, as JSON, to explain the price later
    promotions TEXT NOT NULL,
    warehouse_id BIGINT NOT NULL,
    sales_order_id BIGINT REFERENCES sales_orders (id),
    delivery_on DATE NOT NULL,
    change_reason TEXT,
    shipped_quantity BIGINT NOT NULL DEFAULT 0,
    received_quantity BIGINT NOT NULL DEFAULT 0,
    invoiced_quantity BIGINT NOT NULL DEFAULT 0,
    invoiced_amount_minor BIGINT NOT NULL DEFAULT 0,
    paid_amount_minor BIGINT NOT NULL DEFAULT 0
);
INSERT INTO order_lines_next (id, tenant_id, order_id, line_number, product_id, kind, bundle_product_id, quantity,
    confirmed_quantity, unit_list_price_minor, unit_net_price_minor, line_total_minor, vat_rate_bp, promotions,
    warehouse_id, sales_order_id, delivery_on, change_reason, shipped_quantity, received_quantity, invoiced_quantity,
    invoiced_amount_minor, paid_amount_minor)
SELECT id, tenant_id, order_id, line_number, product_id, kind, bundle_product_id, quantity, confirmed_quantity,
    unit_list_price_minor, unit_net_price_minor, line_total_minor, vat_rate_bp, promotions, warehouse_id,
    sales_order_id, delivery_on, change_reason, shipped_quantity, received_quantity, invoiced_quantity,
    invoiced_amount_minor, paid_amount_minor FROM order_lines;
DROP TABLE order_lines;
ALTER TABLE order_lines_next RENAME TO order_lines;
{{continue_ids order_lines}}
CREATE UNIQUE INDEX order_lines_number ON order_lines (order_id, line_number);

CREATE TABLE stock_movements_next (
    id {{id}},
    tenant_id BIGINT NOT NULL,
    warehouse_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'reservation', 'release', 'shipment', 'return', 'adjustment', 'stocktake')),
    on_hand_delta BIGINT NOT NULL,
    reserved_delta BIGINT NOT NULL,
    order_id BIGINT,
    note TEXT,
    user_id BIGINT,
    created_at TIMESTAMPTZ NOT NULL
);
INSERT INTO stock_movements_next (id, tenant_id, warehouse_id, product_id, kind, on_hand_delta, reserved_delta,
    order_id, note, user_id, created_at)
SELECT id, tenant_id, warehouse_id, product_id, kind, on_hand_delta, reserved_delta, order_id, note, user_id,
    created_at FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_next RENAME TO stock_movements;
{{continue_ids stock_movements}}
CREATE INDEX stock_movements_order ON stock_movements (order_id);

{{never_deleted tenants}}
{{never_deleted products}}
{{never_deleted warehouses}}
{{never_deleted users}}
