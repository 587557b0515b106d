-- A partner's own codes for our products and for its delivery locations, for partners whose
-- messages name them by the buyer's article numbers or location codes instead of GTIN and GLN.
CREATE TABLE edi_cross_references (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    partner_id BIGINT NOT NULL REFERENCES edi_partners (id),
    kind TEXT NOT NULL CHECK (kind IN ('article', 'location')),
    partner_code TEXT NOT NULL,
    product_id BIGINT REFERENCES products (id),
    delivery_location_id BIGINT REFERENCES delivery_locations (id),
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((kind = 'article' AND product_id IS NOT NULL AND delivery_location_id IS NULL)
        OR (kind = 'location' AND delivery_location_id IS NOT NULL AND product_id IS NULL))
);
CREATE UNIQUE INDEX edi_cross_references_code ON edi_cross_references (partner_id, kind, partner_code);
