-- What the dealer says it received of a shipment, line by line: received, accepted and rejected
-- quantities with a reason where they differ from what was shipped. A receipt with differences
-- is a discrepancy the manufacturer settles.
CREATE TABLE receipts (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    shipment_id BIGINT NOT NULL REFERENCES shipments (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    note TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    received_by BIGINT REFERENCES users (id),
    received_by_name TEXT NOT NULL,
    -- 'none' when everything arrived as shipped; otherwise 'open' until the manufacturer settles it
    discrepancy TEXT NOT NULL CHECK (discrepancy IN ('none', 'open', 'settled')),
    settled_at TIMESTAMPTZ,
    settled_by_name TEXT,
    settlement_note TEXT
);
-- A shipment is received once.
CREATE UNIQUE INDEX receipts_shipment ON receipts (shipment_id);
CREATE INDEX receipts_discrepancy ON receipts (tenant_id, discrepancy, received_at);

CREATE TABLE receipt_lines (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    receipt_id BIGINT NOT NULL REFERENCES receipts (id),
    order_line_number BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    shipped_quantity BIGINT NOT NULL,
    received_quantity BIGINT NOT NULL CHECK (received_quantity >= 0),
    accepted_quantity BIGINT NOT NULL CHECK (accepted_quantity >= 0),
    rejected_quantity BIGINT NOT NULL CHECK (rejected_quantity >= 0),
    reason TEXT CHECK (reason IN ('damaged', 'wrong_product', 'short', 'surplus', 'expired')),
    CHECK (accepted_quantity + rejected_quantity = received_quantity)
);
CREATE INDEX receipt_lines_receipt ON receipt_lines (receipt_id);
