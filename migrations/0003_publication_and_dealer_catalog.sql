-- What a dealer sees and orders: product details for ordering, publications, favorites and
-- the record of who looked at which product.

-- A dealer buys in its own currency (a Chinese distributor in yuan); empty means the tenant's.
ALTER TABLE dealers ADD COLUMN currency TEXT;

ALTER TABLE products ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN description_ru TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN description_zh TEXT NOT NULL DEFAULT '';
-- VAT in basis points: 2000 is 20 %.
ALTER TABLE products ADD COLUMN vat_rate_bp BIGINT NOT NULL DEFAULT 2000;
ALTER TABLE products ADD COLUMN min_order_quantity BIGINT NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN order_multiple BIGINT NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN weight_grams BIGINT;
ALTER TABLE products ADD COLUMN volume_ml BIGINT;
CREATE INDEX products_name_en ON products (tenant_id, name_en);
CREATE INDEX products_name_ru ON products (tenant_id, name_ru);
CREATE INDEX products_name_zh ON products (tenant_id, name_zh);

CREATE TABLE product_images (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    content_type TEXT NOT NULL,
    bytes {{bytes}} NOT NULL,
    position BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX product_images_product ON product_images (product_id, position);

-- A product is visible to a dealer only through a publication to everyone ('all', audience 0),
-- to the dealer, one of its groups, its tier, or a region above it.
CREATE TABLE publications (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    audience TEXT NOT NULL CHECK (audience IN ('all', 'dealer', 'group', 'tier', 'region')),
    audience_id BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX publications_unique ON publications (product_id, audience, audience_id);
CREATE INDEX publications_audience ON publications (tenant_id, audience, audience_id);

CREATE TABLE favorites (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, product_id)
);

-- One row per dealer user and product, counted up on every visit.
CREATE TABLE product_views (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    view_count BIGINT NOT NULL,
    first_viewed_at TIMESTAMPTZ NOT NULL,
    last_viewed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX product_views_dealer ON product_views (tenant_id, dealer_id, product_id);

CREATE INDEX price_list_rows_product_list ON price_list_rows (product_id, price_list_id);
