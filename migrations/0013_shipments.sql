-- Products whose every shipped unit must name its batch (lot) and expiry date.
ALTER TABLE products ADD COLUMN lot_tracked BOOLEAN NOT NULL DEFAULT FALSE;

-- Goods leaving a warehouse for a dealer: a shipment comes from one sales order.
CREATE TABLE shipments (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    -- the manufacturer's delivery note number, unique per tenant
    number TEXT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    sales_order_id BIGINT NOT NULL REFERENCES sales_orders (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    vehicle TEXT NOT NULL,
    planned_arrival_on DATE,
    shipped_at TIMESTAMPTZ NOT NULL,
    shipped_by BIGINT REFERENCES users (id),
    shipped_by_name TEXT NOT NULL
);
CREATE UNIQUE INDEX shipments_number ON shipments (tenant_id, number);
CREATE INDEX shipments_order ON shipments (order_id, id);
CREATE INDEX shipments_dealer ON shipments (tenant_id, dealer_id, shipped_at);

-- Each package by its SSCC; an SSCC names one package for ever.
CREATE TABLE shipment_packages (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    shipment_id BIGINT NOT NULL REFERENCES shipments (id),
    sscc TEXT NOT NULL
);
CREATE UNIQUE INDEX shipment_packages_sscc ON shipment_packages (tenant_id, sscc);
CREATE INDEX shipment_packages_shipment ON shipment_packages (shipment_id);

CREATE TABLE shipment_lines (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    shipment_id BIGINT NOT NULL REFERENCES shipments (id),
    order_line_number BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    sscc TEXT NOT NULL,
    batch TEXT,
    expiry_on DATE
);
CREATE INDEX shipment_lines_shipment ON shipment_lines (shipment_id);
