-- Goods a dealer sends back: a return refers to one of its shipments and asks for no more of a
-- line than it received less what it has already asked to return. The manufacturer approves it
-- (the return notice) or rejects it; when the goods arrive, good ones go back to the shipping
-- warehouse and defective ones to a warehouse that never counts as available.
CREATE TABLE returns (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    shipment_id BIGINT NOT NULL REFERENCES shipments (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'received')),
    note TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    requested_by BIGINT REFERENCES users (id),
    requested_by_name TEXT NOT NULL,
    -- the return notice's number, given when approved
    notice_number TEXT,
    decided_at TIMESTAMPTZ,
    decided_by_name TEXT,
    decision_reason TEXT,
    arrived_at TIMESTAMPTZ,
    arrived_by_name TEXT
);
CREATE INDEX returns_shipment ON returns (shipment_id);
CREATE INDEX returns_tenant ON returns (tenant_id, state, requested_at);

CREATE TABLE return_lines (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    return_id BIGINT NOT NULL REFERENCES returns (id),
    order_line_number BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    reason TEXT NOT NULL CHECK (reason IN ('damaged', 'wrong_product', 'surplus', 'expired', 'other')),
    good_quantity BIGINT,
    defective_quantity BIGINT,
    CHECK (good_quantity IS NULL OR good_quantity + defective_quantity = quantity)
);
CREATE INDEX return_lines_return ON return_lines (return_id);
