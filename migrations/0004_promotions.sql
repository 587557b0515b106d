-- Promotions: a period, an audience, products or categories, terms by kind, stacking and
-- priority, and optional caps that orders use up (never beyond them).

CREATE TABLE promotions (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('percent_off', 'amount_off', 'spend_save', 'buy_get', 'bundle')),
    -- the kind's terms as JSON, amounts in minor units of the currency
    terms TEXT NOT NULL,
    currency TEXT NOT NULL,
    priority BIGINT NOT NULL,
    stackable BOOLEAN NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    budget_minor BIGINT,
    budget_used_minor BIGINT NOT NULL,
    quantity_cap BIGINT,
    quantity_used BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (budget_minor IS NULL OR budget_used_minor <= budget_minor),
    CHECK (quantity_cap IS NULL OR quantity_used <= quantity_cap)
);
CREATE UNIQUE INDEX promotions_code_unique ON promotions (tenant_id, code);
CREATE INDEX promotions_period ON promotions (tenant_id, status, starts_on, ends_on);

CREATE TABLE promotion_audiences (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    audience TEXT NOT NULL CHECK (audience IN ('all', 'dealer', 'group', 'tier', 'region')),
    audience_id BIGINT NOT NULL,
    PRIMARY KEY (promotion_id, audience, audience_id)
);

-- What a promotion applies to: products, or whole categories (product_id empty).
CREATE TABLE promotion_products (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    product_id BIGINT REFERENCES products (id),
    category_id BIGINT REFERENCES categories (id)
);
CREATE INDEX promotion_products_promotion ON promotion_products (promotion_id);
CREATE INDEX promotion_products_product ON promotion_products (product_id);
CREATE INDEX promotion_products_category ON promotion_products (category_id);
