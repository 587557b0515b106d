-- Ordering: warehouses and the stock orders reserve, dealers' credit and order limits, carts,
-- orders with their lines, events and sales orders.

-- The manufacturer's warehouses. Orders reserve first in the warehouse that serves the delivery
-- location, then in the others by priority (lower first). Goods in a warehouse that is not
-- sellable (defective goods) are never available to promise.
CREATE TABLE warehouses (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    gln TEXT,
    priority BIGINT NOT NULL,
    sellable BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX warehouses_code_unique ON warehouses (tenant_id, code);

ALTER TABLE delivery_locations ADD COLUMN warehouse_id BIGINT REFERENCES warehouses (id);

-- On hand and reserved per product and warehouse; available to promise is their difference.
-- The CHECK is the last guard against overselling: no transaction can commit a reservation the
-- stock does not cover.
CREATE TABLE stock_levels (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    on_hand BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    safety_stock BIGINT,
    max_stock BIGINT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (warehouse_id, product_id),
    CHECK (on_hand >= 0),
    CHECK (reserved >= 0 AND reserved <= on_hand)
);
CREATE INDEX stock_levels_product ON stock_levels (tenant_id, product_id);

-- Every change of on hand or reserved, so both can always be recomputed from here.
CREATE TABLE stock_movements (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'reservation', 'release', 'shipment', 'return', 'adjustment', 'stocktake')),
    on_hand_delta BIGINT NOT NULL,
    reserved_delta BIGINT NOT NULL,
    order_id BIGINT,
    note TEXT,
    user_id BIGINT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX stock_movements_stock ON stock_movements (warehouse_id, product_id);
CREATE INDEX stock_movements_order ON stock_movements (order_id);

-- Credit, in minor units of the dealer's currency. Exposure is receivables plus open orders;
-- the tenant decides whether an order beyond the limit waits on credit hold or is refused.
ALTER TABLE tenants ADD COLUMN credit_policy TEXT NOT NULL DEFAULT 'hold' CHECK (credit_policy IN ('hold', 'refuse'));
ALTER TABLE dealers ADD COLUMN credit_limit_minor BIGINT;
ALTER TABLE dealers ADD COLUMN receivables_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dealers ADD COLUMN open_orders_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dealers ADD COLUMN min_order_minor BIGINT;
ALTER TABLE dealers ADD COLUMN max_order_minor BIGINT;
ALTER TABLE dealer_groups ADD COLUMN min_order_minor BIGINT;
ALTER TABLE dealer_groups ADD COLUMN max_order_minor BIGINT;

-- A user's carts: the working cart has the empty name, saved carts have their own.
CREATE TABLE carts (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX carts_user_name ON carts (user_id, name);

CREATE TABLE cart_lines (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    cart_id BIGINT NOT NULL REFERENCES carts (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (cart_id, product_id)
);

-- Money in minor units of the order's currency: net of promotions, VAT apart.
CREATE TABLE orders (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    dealer_order_number TEXT NOT NULL,
    delivery_location_id BIGINT NOT NULL REFERENCES delivery_locations (id),
    requested_delivery_on DATE NOT NULL,
    allow_adjust BOOLEAN NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'on_credit_hold', 'confirmed', 'partially_confirmed',
        'rejected', 'cancelled', 'partially_shipped', 'shipped', 'received', 'invoiced', 'paid', 'closed')),
    channel TEXT NOT NULL CHECK (channel IN ('portal', 'api', 'xlsx', 'edi')),
    currency TEXT NOT NULL,
    net_total_minor BIGINT NOT NULL,
    vat_total_minor BIGINT NOT NULL,
    -- what the order adds to the dealer's exposure while open (gross), so it can be given back
    exposure_minor BIGINT NOT NULL,
    comment TEXT NOT NULL,
    idempotency_key TEXT,
    placed_by BIGINT REFERENCES users (id),
    placed_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ,
    decision_reason TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX orders_dealer_number ON orders (dealer_id, dealer_order_number);
CREATE UNIQUE INDEX orders_idempotency_key ON orders (tenant_id, idempotency_key);
CREATE INDEX orders_tenant_state ON orders (tenant_id, state, placed_at);
CREATE INDEX orders_dealer_placed ON orders (dealer_id, placed_at);

-- Sales orders: the confirmed order split by the warehouse that ships it.
CREATE TABLE sales_orders (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX sales_orders_order_warehouse ON sales_orders (order_id, warehouse_id);

-- Regular lines, free goods (buy N get M) and the components of bundles, each its own line.
CREATE TABLE order_lines (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    line_number BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    kind TEXT NOT NULL CHECK (kind IN ('regular', 'free', 'bundle_component')),
    bundle_product_id BIGINT REFERENCES products (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    confirmed_quantity BIGINT CHECK (confirmed_quantity >= 0 AND confirmed_quantity <= quantity),
    unit_list_price_minor BIGINT NOT NULL,
    unit_net_price_minor BIGINT NOT NULL,
    line_total_minor BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    -- the promotions applied, as JSON, to explain the price later
    promotions TEXT NOT NULL,
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    sales_order_id BIGINT REFERENCES sales_orders (id),
    delivery_on DATE NOT NULL,
    change_reason TEXT
);
CREATE UNIQUE INDEX order_lines_number ON order_lines (order_id, line_number);
CREATE INDEX order_lines_product ON order_lines (tenant_id, product_id);

-- What each order took from promotion budgets and caps, to give it back if the order ends.
CREATE TABLE order_promotions (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    amount_minor BIGINT NOT NULL,
    units BIGINT NOT NULL,
    PRIMARY KEY (order_id, promotion_id)
);

-- The order's timeline: every transition and document, who and when.
CREATE TABLE order_events (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT,
    user_id BIGINT REFERENCES users (id),
    user_name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);
