-- Stock levels import from XLSX: a full snapshot of the warehouses a file names, or changes.
-- SQLite cannot change a CHECK constraint in place, so the imports table is rebuilt with the
-- wider list of kinds, keeping every import and its numbering.
CREATE TABLE imports_next (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('products', 'price_rows', 'stock_snapshot', 'stock_changes')),
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
INSERT INTO imports_next (id, tenant_id, user_id, kind, price_list_id, file_name, content, status, rows_total,
    rows_applied, problems, created_at, finished_at)
SELECT id, tenant_id, user_id, kind, price_list_id, file_name, content, status, rows_total, rows_applied, problems,
    created_at, finished_at FROM imports;
DROP TABLE imports;
ALTER TABLE imports_next RENAME TO imports;
{{continue_ids imports}}
CREATE INDEX imports_tenant ON imports (tenant_id, created_at);

-- Stock alerts read only the rows with a safety stock or a maximum set.
CREATE INDEX stock_levels_limits ON stock_levels (tenant_id, warehouse_id)
    WHERE safety_stock IS NOT NULL OR max_stock IS NOT NULL;
