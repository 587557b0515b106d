-- Change requests of confirmed orders, from the dealer or the manufacturer: line-level changes
-- of quantity, unit price (the manufacturer only) and delivery date. The other side approves or
-- rejects; the history stays with the order.
CREATE TABLE change_requests (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    -- who asks: 'dealer' or 'manufacturer'; the other side decides
    raised_by_side TEXT NOT NULL CHECK (raised_by_side IN ('dealer', 'manufacturer')),
    raised_by BIGINT REFERENCES users (id),
    raised_by_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'approved', 'rejected', 'withdrawn')),
    decided_by_name TEXT,
    decision_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ
);
CREATE INDEX change_requests_order ON change_requests (order_id, id);

CREATE TABLE change_request_lines (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    change_request_id BIGINT NOT NULL REFERENCES change_requests (id),
    line_number BIGINT NOT NULL,
    new_quantity BIGINT CHECK (new_quantity >= 0),
    new_unit_price_minor BIGINT CHECK (new_unit_price_minor >= 0),
    new_delivery_on DATE,
    PRIMARY KEY (change_request_id, line_number)
);
