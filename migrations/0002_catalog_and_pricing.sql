-- Products, their categories, and price lists with their rows: the ground the catalog and
-- pricing capabilities grow on. Names are kept in the three languages every page speaks, and a
-- lower-cased search text covers all of them with the SKU and GTIN.

CREATE TABLE categories (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    parent_id BIGINT REFERENCES categories (id),
    code TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX categories_code_unique ON categories (tenant_id, code);

CREATE TABLE products (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    sku TEXT NOT NULL,
    gtin TEXT NOT NULL,
    category_id BIGINT REFERENCES categories (id),
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    search_text TEXT NOT NULL,
    unit TEXT NOT NULL,
    pack_size BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX products_sku_unique ON products (tenant_id, sku);
CREATE UNIQUE INDEX products_gtin_unique ON products (tenant_id, gtin);
CREATE INDEX products_category ON products (tenant_id, category_id);

-- Who a price list is for: the base list (everyone), a dealer group, a tier, a region or one dealer.
CREATE TABLE price_lists (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('base', 'group', 'tier', 'region', 'dealer')),
    audience_id BIGINT,
    currency TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX price_lists_code_unique ON price_lists (tenant_id, code);
CREATE INDEX price_lists_audience ON price_lists (tenant_id, audience, audience_id);

-- A price per unit in the currency's minor units, from a minimum quantity on, for a period.
CREATE TABLE price_list_rows (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    price_list_id BIGINT NOT NULL REFERENCES price_lists (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    min_quantity BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE
);
CREATE INDEX price_list_rows_lookup ON price_list_rows (price_list_id, product_id, min_quantity);
CREATE INDEX price_list_rows_product ON price_list_rows (product_id);
