-- Dealers' own stock on hand (INVRPT) and sales to their customers (SLSRPT), as their ERPs
-- report them: the raw material of channel inventory and sell-through.
CREATE TABLE channel_reports (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    kind TEXT NOT NULL CHECK (kind IN ('stock', 'sales')),
    document_number TEXT NOT NULL,
    -- the day the figures are for
    reported_on DATE,
    received_at TIMESTAMPTZ NOT NULL
);
-- A report sent again under the same number replaces the first.
CREATE UNIQUE INDEX channel_reports_number ON channel_reports (tenant_id, dealer_id, kind, document_number);
CREATE INDEX channel_reports_dealer ON channel_reports (tenant_id, dealer_id, kind, reported_on);

CREATE TABLE channel_report_lines (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    report_id BIGINT NOT NULL REFERENCES channel_reports (id),
    -- our product, when the line names one we know; other brands' products stay unmatched
    product_id BIGINT REFERENCES products (id),
    gtin TEXT,
    location TEXT,
    quantity BIGINT NOT NULL CHECK (quantity >= 0)
);
CREATE INDEX channel_report_lines_report ON channel_report_lines (report_id);
CREATE INDEX channel_report_lines_product ON channel_report_lines (tenant_id, product_id);
