-- Spreadsheet imports: the file as uploaded, where its background job stands, and what was wrong
-- with it, kept so that people can leave the page and come back, and download the error report.
CREATE TABLE imports (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('products', 'price_rows')),
    price_list_id BIGINT REFERENCES price_lists (id),
    file_name TEXT NOT NULL,
    content {{bytes}} NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'reading', 'checking', 'applying', 'done', 'rejected', 'failed')),
    rows_total BIGINT NOT NULL,
    rows_applied BIGINT NOT NULL,
    -- JSON: [{"row": 12, "column": "unit_price", "code": "money.too_many_decimals", "params": [...]}]
    problems TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX imports_tenant ON imports (tenant_id, created_at);
