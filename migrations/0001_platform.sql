-- Tenants, regions, dealers, users, sessions, API tokens, audit log and jobs.
-- Portable between SQLite and PostgreSQL: {{id}} and {{bytes}} are filled in per database.
-- Every business table carries tenant_id, so the data can later be distributed by tenant.

CREATE TABLE tenants (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    default_locale TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    brand_primary_color TEXT NOT NULL,
    brand_accent_color TEXT NOT NULL,
    logo_content_type TEXT,
    logo {{bytes}},
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- The sales territory tree: country, region, territory.
CREATE TABLE regions (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    parent_id BIGINT REFERENCES regions (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX regions_code_unique ON regions (tenant_id, code);
CREATE INDEX regions_parent ON regions (parent_id);

-- Every (ancestor, descendant) pair of the region tree, a region being its own ancestor at
-- depth 0, so "everything under these regions" is one indexed join instead of a recursive query.
CREATE TABLE region_closure (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    ancestor_id BIGINT NOT NULL REFERENCES regions (id),
    descendant_id BIGINT NOT NULL REFERENCES regions (id),
    depth BIGINT NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX region_closure_descendant ON region_closure (descendant_id);

CREATE TABLE dealer_groups (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX dealer_groups_code_unique ON dealer_groups (tenant_id, code);

CREATE TABLE dealers (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    legal_name TEXT NOT NULL,
    -- lower-cased code and name for case-insensitive search in any script
    search_text TEXT NOT NULL,
    tax_number TEXT,
    gln TEXT,
    tier BIGINT NOT NULL CHECK (tier IN (1, 2)),
    parent_dealer_id BIGINT REFERENCES dealers (id),
    region_id BIGINT NOT NULL REFERENCES regions (id),
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX dealers_code_unique ON dealers (tenant_id, code);
CREATE UNIQUE INDEX dealers_gln_unique ON dealers (tenant_id, gln);
CREATE INDEX dealers_region ON dealers (tenant_id, region_id);
CREATE INDEX dealers_parent ON dealers (parent_dealer_id);

CREATE TABLE dealer_group_members (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    group_id BIGINT NOT NULL REFERENCES dealer_groups (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    PRIMARY KEY (group_id, dealer_id)
);
CREATE INDEX dealer_group_members_dealer ON dealer_group_members (dealer_id);

CREATE TABLE delivery_locations (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    gln TEXT,
    is_primary BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX delivery_locations_code_unique ON delivery_locations (dealer_id, code);

CREATE TABLE dealer_contacts (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    name TEXT NOT NULL,
    position TEXT,
    email TEXT,
    phone TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dealer_contacts_dealer ON dealer_contacts (dealer_id);

-- Logins are unique across tenants: the login page does not ask which manufacturer you are.
CREATE TABLE users (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale TEXT,
    dealer_id BIGINT REFERENCES dealers (id),
    -- internal users only: sees every region of the tenant
    all_regions BOOLEAN NOT NULL,
    -- dealer users only: also sees the distributor's tier-2 dealers
    sees_tier2 BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_tenant ON users (tenant_id, dealer_id);

CREATE TABLE user_roles (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- The region subtrees an internal user's data scope covers.
CREATE TABLE user_regions (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    region_id BIGINT NOT NULL REFERENCES regions (id),
    PRIMARY KEY (user_id, region_id)
);

-- Sessions live here, not in a server's memory, so any server can serve any request.
CREATE TABLE sessions (
    token_digest TEXT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Bearer tokens for the API: issued at sign-in (they expire) or created by an administrator
-- for an integration (optionally narrowed to one role). Only a digest is kept.
CREATE TABLE api_tokens (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    role TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id, created_at);

-- Failed sign-ins, counted per login to slow down guessing.
CREATE TABLE login_attempts (
    id {{id}},
    login TEXT NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_login ON login_attempts (login, attempted_at);

CREATE TABLE audit_log (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    occurred_at TIMESTAMPTZ NOT NULL,
    user_id BIGINT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, occurred_at);
CREATE INDEX audit_log_entity ON audit_log (tenant_id, entity, entity_id);

-- tenant_id is empty for the system's own housekeeping.
CREATE TABLE jobs (
    id {{id}},
    tenant_id BIGINT REFERENCES tenants (id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    leased_by TEXT,
    leased_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_tenant ON jobs (tenant_id, created_at);
