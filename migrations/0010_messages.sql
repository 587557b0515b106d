-- The in-app message centre: one row per recipient. The text is kept as a message key and its
-- parameters, so each reader sees it in their own language whenever they read it.
CREATE TABLE messages (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    order_id BIGINT REFERENCES orders (id),
    -- JSON: [["number", "VK-2026-0141"], ...]
    params TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ
);
CREATE INDEX messages_user ON messages (user_id, read_at, id);
