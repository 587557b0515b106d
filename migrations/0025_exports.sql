-- List exports too large to send at once: who asked, which list with which filters and sort, how
-- far the background job has come, and the finished file, kept in the database so that any server
-- can serve it and people can leave the page and come back.
CREATE TABLE exports (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- The list's name, as in its path: `dealers`, `products` ...
    list TEXT NOT NULL,
    -- JSON: the list's filters and sort as its API query takes them.
    parameters TEXT NOT NULL,
    -- The language of the file's headers and words.
    locale TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    rows_done BIGINT NOT NULL,
    rows_total BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content {{bytes}},
    -- A message key saying why the export failed, and its parameters as JSON.
    error_code TEXT,
    error_params TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX exports_user ON exports (tenant_id, user_id, created_at);
