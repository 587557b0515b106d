-- Photos a dealer adds to its return request, to show the damage.
CREATE TABLE return_photos (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    return_id BIGINT NOT NULL REFERENCES returns (id),
    content_type TEXT NOT NULL,
    content {{bytes}} NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX return_photos_return ON return_photos (return_id, id);
