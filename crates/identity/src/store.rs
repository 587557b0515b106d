//! Identity's SQL. Every function that reads business data takes the tenant (and, for scoped
//! reads, the actor's data scope) as an argument; none of them decide permissions.

use chrono::{DateTime, Utc};
pub use platform::db::Source;
use platform::{Actor, DataScope, Db, DbError, DealerId, Locale, Query, RegionId, Role, Row, TenantId, Tx, UserId};

use crate::domain::*;

// ----- tenants -----

const TENANT_COLUMNS: &str = "id, code, name, currency, default_locale, time_zone, brand_primary_color, \
     brand_accent_color, logo_content_type, credit_policy, gln, created_at, updated_at";

fn read_tenant(row: &Row) -> Result<Tenant, DbError> {
    Ok(Tenant {
        id: TenantId(row.get("id")?),
        code: row.get("code")?,
        name: row.get("name")?,
        currency: row.get("currency")?,
        default_locale: Locale::parse(&row.get::<String>("default_locale")?).unwrap_or_default(),
        time_zone: row.get("time_zone")?,
        brand_primary_color: row.get("brand_primary_color")?,
        brand_accent_color: row.get("brand_accent_color")?,
        has_logo: row.get::<Option<String>>("logo_content_type")?.is_some(),
        credit_policy: row.get("credit_policy")?,
        gln: row.get("gln")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

pub async fn insert_tenant(
    tx: &mut Tx,
    tenant: &NewTenant,
    locale: Locale,
    now: DateTime<Utc>,
) -> Result<TenantId, DbError> {
    let row = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO tenants (code, name, currency, default_locale, time_zone, brand_primary_color, brand_accent_color, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, '#1f4e79', '#f5a623', $6, $6) RETURNING id",
            )
            .bind(tenant.code.trim())
            .bind(tenant.name.trim())
            .bind(tenant.currency.trim().to_ascii_uppercase())
            .bind(locale.code())
            .bind(tenant.time_zone.trim())
            .bind(now),
        )
        .await?;
    Ok(TenantId(row.get("id")?))
}

pub async fn tenant_code_exists(tx: &mut Tx, code: &str) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(&Query::new("SELECT id FROM tenants WHERE code = $1").bind(code.trim()))
        .await?
        .is_some())
}

pub async fn find_tenant(db: &Db, id: TenantId) -> Result<Option<Tenant>, DbError> {
    db.fetch_optional(&Query::new(format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1")).bind(id))
        .await?
        .as_ref()
        .map(read_tenant)
        .transpose()
}

pub async fn find_tenant_by_code(db: &Db, code: &str) -> Result<Option<Tenant>, DbError> {
    db.fetch_optional(&Query::new(format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE code = $1")).bind(code))
        .await?
        .as_ref()
        .map(read_tenant)
        .transpose()
}

pub async fn lock_tenant(tx: &mut Tx, id: TenantId) -> Result<Option<Tenant>, DbError> {
    tx.fetch_optional(&Query::new(format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1")).bind(id))
        .await?
        .as_ref()
        .map(read_tenant)
        .transpose()
}

pub async fn update_tenant_settings(
    tx: &mut Tx,
    id: TenantId,
    settings: &ValidTenantSettings,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "UPDATE tenants SET name = $2, default_locale = $3, time_zone = $4, brand_primary_color = $5,
                 brand_accent_color = $6, updated_at = $7, credit_policy = COALESCE($8, credit_policy),
                 gln = CASE WHEN $9 THEN $10 ELSE gln END WHERE id = $1",
        )
        .bind(id)
        .bind(&settings.name)
        .bind(settings.default_locale.code())
        .bind(&settings.time_zone)
        .bind(&settings.brand_primary_color)
        .bind(&settings.brand_accent_color)
        .bind(now)
        .bind(settings.credit_policy.clone())
        .bind(settings.gln.is_some())
        .bind(settings.gln.clone().flatten()),
    )
    .await?;
    Ok(())
}

pub async fn update_tenant_logo(
    tx: &mut Tx,
    id: TenantId,
    content_type: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new("UPDATE tenants SET logo_content_type = $2, logo = $3, updated_at = $4 WHERE id = $1")
            .bind(id)
            .bind(content_type)
            .bind(bytes)
            .bind(now),
    )
    .await?;
    Ok(())
}

pub async fn find_tenant_logo(db: &Db, id: TenantId) -> Result<Option<(String, Vec<u8>)>, DbError> {
    let Some(row) = db
        .fetch_optional(&Query::new("SELECT logo_content_type, logo FROM tenants WHERE id = $1").bind(id))
        .await?
    else {
        return Ok(None);
    };
    let content_type: Option<String> = row.get("logo_content_type")?;
    let bytes: Option<Vec<u8>> = row.get("logo")?;
    Ok(content_type.zip(bytes))
}

// ----- regions -----

const REGION_SELECT: &str = "SELECT r.id, r.parent_id, r.code, r.name, r.kind, \
     (SELECT CAST(COUNT(*) - 1 AS BIGINT) FROM region_closure c WHERE c.descendant_id = r.id) AS depth \
     FROM regions r WHERE r.tenant_id = $1";

fn read_region(row: &Row) -> Result<Region, DbError> {
    Ok(Region {
        id: RegionId(row.get("id")?),
        parent_id: row.get::<Option<i64>>("parent_id")?.map(RegionId),
        code: row.get("code")?,
        name: row.get("name")?,
        kind: RegionKind::parse(&row.get::<String>("kind")?).unwrap_or(RegionKind::Region),
        depth: row.get("depth")?,
    })
}

pub async fn insert_region(
    tx: &mut Tx,
    tenant_id: TenantId,
    region: &ValidRegion,
    now: DateTime<Utc>,
) -> Result<RegionId, DbError> {
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO regions (tenant_id, parent_id, code, name, kind, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(tenant_id)
            .bind(region.parent_id)
            .bind(&region.code)
            .bind(&region.name)
            .bind(region.kind.code())
            .bind(now),
        )
        .await?
        .get("id")?;
    tx.execute(
        &Query::new(
            "INSERT INTO region_closure (tenant_id, ancestor_id, descendant_id, depth)
             SELECT tenant_id, ancestor_id, $2, depth + 1 FROM region_closure WHERE descendant_id = $3
             UNION ALL SELECT $1, $2, $2, 0",
        )
        .bind(tenant_id)
        .bind(id)
        .bind(region.parent_id),
    )
    .await?;
    Ok(RegionId(id))
}

pub async fn update_region_name(
    tx: &mut Tx,
    tenant_id: TenantId,
    id: RegionId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new("UPDATE regions SET name = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id)
            .bind(name)
            .bind(now),
    )
    .await?;
    Ok(())
}

pub async fn region_code_exists(tx: &mut Tx, tenant_id: TenantId, code: &str) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new("SELECT id FROM regions WHERE tenant_id = $1 AND code = $2")
                .bind(tenant_id)
                .bind(code),
        )
        .await?
        .is_some())
}

/// The region if it belongs to the tenant and lies inside `scope`.
pub async fn find_region(
    db_or_tx: &mut Source<'_>,
    tenant_id: TenantId,
    scope: &DataScope,
    id: RegionId,
) -> Result<Option<Region>, DbError> {
    let mut query = Query::new(REGION_SELECT).bind(tenant_id);
    query.push(" AND r.id = ").push_bind(id);
    scope.restrict_region(&mut query, "r.id");
    db_or_tx
        .fetch_optional(&query)
        .await?
        .as_ref()
        .map(read_region)
        .transpose()
}

pub async fn list_regions(db: &Db, tenant_id: TenantId, scope: &DataScope) -> Result<Vec<Region>, DbError> {
    let mut query = Query::new(REGION_SELECT).bind(tenant_id);
    scope.restrict_region(&mut query, "r.id");
    query.push(" ORDER BY r.code");
    db.fetch_all(&query).await?.iter().map(read_region).collect()
}

// ----- dealer groups -----

pub async fn insert_dealer_group(
    tx: &mut Tx,
    tenant_id: TenantId,
    code: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO dealer_groups (tenant_id, code, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(tenant_id)
        .bind(code)
        .bind(name)
        .bind(now),
    )
    .await?
    .get("id")
}

pub async fn dealer_group_code_exists(tx: &mut Tx, tenant_id: TenantId, code: &str) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new("SELECT id FROM dealer_groups WHERE tenant_id = $1 AND code = $2")
                .bind(tenant_id)
                .bind(code),
        )
        .await?
        .is_some())
}

fn read_group(row: &Row) -> Result<DealerGroup, DbError> {
    Ok(DealerGroup {
        id: row.get("id")?,
        code: row.get("code")?,
        name: row.get("name")?,
    })
}

/// The dealer group list's sortable columns; by code by default.
pub const DEALER_GROUP_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("code", "code"),
        platform::SortColumn::new("name", "name"),
    ],
    default: "code",
    tiebreaker: "id",
};

/// One page of the tenant's dealer groups under `filter`.
pub async fn dealer_group_page(
    db: &Db,
    tenant_id: TenantId,
    filter: &DealerGroupFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<DealerGroup>, DbError> {
    let mut condition = Query::new(" WHERE tenant_id = $1").bind(tenant_id);
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = platform::db::like_contains(search);
        condition
            .push(" AND (LOWER(code) LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(name) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    platform::db::fetch_page(
        db,
        "dealer_groups",
        "SELECT id, code, name FROM dealer_groups",
        condition,
        &DEALER_GROUP_SORT.order_by(filter.sort),
        page,
        read_group,
    )
    .await
}

pub async fn list_dealer_groups(source: &mut Source<'_>, tenant_id: TenantId) -> Result<Vec<DealerGroup>, DbError> {
    source
        .fetch_all(
            &Query::new("SELECT id, code, name FROM dealer_groups WHERE tenant_id = $1 ORDER BY code").bind(tenant_id),
        )
        .await?
        .iter()
        .map(read_group)
        .collect()
}

async fn groups_of_dealer(db: &Db, dealer_id: DealerId) -> Result<Vec<DealerGroup>, DbError> {
    db.fetch_all(
        &Query::new(
            "SELECT g.id, g.code, g.name FROM dealer_groups g JOIN dealer_group_members m ON m.group_id = g.id
             WHERE m.dealer_id = $1 ORDER BY g.code",
        )
        .bind(dealer_id),
    )
    .await?
    .iter()
    .map(read_group)
    .collect()
}

pub async fn replace_dealer_groups(
    tx: &mut Tx,
    tenant_id: TenantId,
    dealer_id: DealerId,
    group_ids: &[i64],
) -> Result<(), DbError> {
    tx.execute(&Query::new("DELETE FROM dealer_group_members WHERE dealer_id = $1").bind(dealer_id))
        .await?;
    for group_id in group_ids {
        tx.execute(
            &Query::new("INSERT INTO dealer_group_members (tenant_id, group_id, dealer_id) VALUES ($1, $2, $3)")
                .bind(tenant_id)
                .bind(*group_id)
                .bind(dealer_id),
        )
        .await?;
    }
    Ok(())
}

// ----- dealers -----

const DEALER_SELECT: &str = "SELECT d.id, d.code, d.legal_name, d.tax_number, d.gln, d.tier, d.parent_dealer_id, \
     d.region_id, r.name AS region_name, d.status, d.currency, d.created_at, d.updated_at \
     FROM dealers d JOIN regions r ON r.id = d.region_id";

/// The dealer list's sortable columns.
pub const DEALER_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("code", "d.code"),
        platform::SortColumn::new("legal_name", "d.legal_name"),
        platform::SortColumn::new("region", "r.name"),
        platform::SortColumn::new("tier", "d.tier"),
        platform::SortColumn::new("status", "d.status"),
        platform::SortColumn::nullable("gln", "d.gln"),
        platform::SortColumn::new("created_at", "d.created_at"),
    ],
    default: "code",
    tiebreaker: "d.id",
};

fn read_dealer(row: &Row) -> Result<Dealer, DbError> {
    Ok(Dealer {
        id: DealerId(row.get("id")?),
        code: row.get("code")?,
        legal_name: row.get("legal_name")?,
        tax_number: row.get("tax_number")?,
        gln: row.get("gln")?,
        tier: row.get("tier")?,
        parent_dealer_id: row.get::<Option<i64>>("parent_dealer_id")?.map(DealerId),
        region_id: RegionId(row.get("region_id")?),
        region_name: row.get("region_name")?,
        status: DealerStatus::parse(&row.get::<String>("status")?).unwrap_or(DealerStatus::Applicant),
        currency: row.get("currency")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

/// The dealer if it belongs to the tenant and lies inside `scope`.
pub async fn find_dealer(
    source: &mut Source<'_>,
    tenant_id: TenantId,
    scope: &DataScope,
    id: DealerId,
) -> Result<Option<Dealer>, DbError> {
    let mut query = Query::new(DEALER_SELECT);
    query.push(" WHERE d.tenant_id = ").push_bind(tenant_id);
    query.push(" AND d.id = ").push_bind(id);
    scope.restrict_dealer(&mut query, "d.id");
    source
        .fetch_optional(&query)
        .await?
        .as_ref()
        .map(read_dealer)
        .transpose()
}

/// A dealer by the code people know it by, in the actor's data scope. The exact code first;
/// failing that, letter case is forgiven where it picks out one dealer.
pub async fn find_dealer_by_code(
    source: &mut Source<'_>,
    tenant_id: TenantId,
    scope: &DataScope,
    code: &str,
) -> Result<Option<Dealer>, DbError> {
    let mut exact = Query::new(DEALER_SELECT);
    exact.push(" WHERE d.tenant_id = ").push_bind(tenant_id);
    exact.push(" AND d.code = ").push_bind(code.to_owned());
    scope.restrict_dealer(&mut exact, "d.id");
    if let Some(row) = source.fetch_optional(&exact).await? {
        return read_dealer(&row).map(Some);
    }
    let mut any_case = Query::new(DEALER_SELECT);
    any_case.push(" WHERE d.tenant_id = ").push_bind(tenant_id);
    any_case.push(" AND UPPER(d.code) = ").push_bind(code.to_uppercase());
    scope.restrict_dealer(&mut any_case, "d.id");
    any_case.push(" ORDER BY d.code LIMIT 2");
    let rows = source.fetch_all(&any_case).await?;
    match rows.as_slice() {
        [row] => read_dealer(row).map(Some),
        _ => Ok(None),
    }
}

/// The dealers among `ids` in the scope, in no particular order.
pub async fn find_dealers(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    ids: &[DealerId],
) -> Result<Vec<Dealer>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::new(DEALER_SELECT);
    query.push(" WHERE d.tenant_id = ").push_bind(tenant_id);
    query
        .push(" AND d.id IN ")
        .push_bind_list(ids.iter().map(|id| id.get()));
    scope.restrict_dealer(&mut query, "d.id");
    db.fetch_all(&query).await?.iter().map(read_dealer).collect()
}

pub async fn list_dealers(
    db: &Db,
    actor: &Actor,
    filter: &DealerFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<Dealer>, DbError> {
    let mut condition = Query::new(" WHERE d.tenant_id = $1").bind(actor.tenant_id);
    actor.scope.restrict_dealer(&mut condition, "d.id");
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        condition
            .push(" AND d.search_text LIKE ")
            .push_bind(platform::db::like_contains(search))
            .push(" ESCAPE '\\'");
    }
    if let Some(region_id) = filter.region_id {
        condition
            .push(" AND d.region_id IN (SELECT descendant_id FROM region_closure WHERE ancestor_id = ")
            .push_bind(region_id)
            .push(")");
    }
    if let Some(status) = filter.status {
        condition.push(" AND d.status = ").push_bind(status.code());
    }
    if let Some(tier) = filter.tier {
        condition.push(" AND d.tier = ").push_bind(tier);
    }
    if let Some(group_id) = filter.group_id {
        condition
            .push(" AND d.id IN (SELECT dealer_id FROM dealer_group_members WHERE group_id = ")
            .push_bind(group_id)
            .push(")");
    }
    let order_by = DEALER_SORT.order_by(filter.sort);
    platform::db::fetch_page(db, "dealers d", DEALER_SELECT, condition, &order_by, page, read_dealer).await
}

pub async fn dealer_detail(db: &Db, dealer: Dealer) -> Result<DealerDetail, DbError> {
    let parent_dealer_name = match dealer.parent_dealer_id {
        Some(parent) => db
            .fetch_optional(&Query::new("SELECT legal_name FROM dealers WHERE id = $1").bind(parent))
            .await?
            .map(|row| row.get("legal_name"))
            .transpose()?,
        None => None,
    };
    let groups = groups_of_dealer(db, dealer.id).await?;
    let locations = list_locations(db, dealer.id).await?;
    let contacts = list_contacts(db, dealer.id).await?;
    Ok(DealerDetail {
        dealer,
        parent_dealer_name,
        groups,
        locations,
        contacts,
    })
}

pub async fn dealer_code_taken(
    tx: &mut Tx,
    tenant_id: TenantId,
    code: &str,
    except: Option<DealerId>,
) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new("SELECT id FROM dealers WHERE tenant_id = $1 AND code = $2 AND id <> $3")
                .bind(tenant_id)
                .bind(code)
                .bind(except.map_or(0, DealerId::get)),
        )
        .await?
        .is_some())
}

pub async fn dealer_gln_taken(
    tx: &mut Tx,
    tenant_id: TenantId,
    gln: &str,
    except: Option<DealerId>,
) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new("SELECT id FROM dealers WHERE tenant_id = $1 AND gln = $2 AND id <> $3")
                .bind(tenant_id)
                .bind(gln)
                .bind(except.map_or(0, DealerId::get)),
        )
        .await?
        .is_some())
}

pub async fn insert_dealer(
    tx: &mut Tx,
    tenant_id: TenantId,
    dealer: &ValidDealer,
    status: DealerStatus,
    now: DateTime<Utc>,
) -> Result<DealerId, DbError> {
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO dealers (tenant_id, code, legal_name, search_text, tax_number, gln, tier, parent_dealer_id,
                     region_id, status, created_at, updated_at, currency)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id",
            )
            .bind(tenant_id)
            .bind(&dealer.code)
            .bind(&dealer.legal_name)
            .bind(dealer_search_text(&dealer.code, &dealer.legal_name))
            .bind(dealer.tax_number.as_deref())
            .bind(dealer.gln.as_ref().map(|g| g.as_str()))
            .bind(dealer.tier)
            .bind(dealer.parent_dealer_id)
            .bind(dealer.region_id)
            .bind(status.code())
            .bind(now)
            .bind(dealer.currency.as_deref()),
        )
        .await?
        .get("id")?;
    Ok(DealerId(id))
}

pub async fn update_dealer(
    tx: &mut Tx,
    id: DealerId,
    dealer: &ValidDealer,
    status: DealerStatus,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "UPDATE dealers SET code = $2, legal_name = $3, search_text = $4, tax_number = $5, gln = $6, tier = $7,
                 parent_dealer_id = $8, region_id = $9, status = $10, updated_at = $11, currency = $12
             WHERE id = $1",
        )
        .bind(id)
        .bind(&dealer.code)
        .bind(&dealer.legal_name)
        .bind(dealer_search_text(&dealer.code, &dealer.legal_name))
        .bind(dealer.tax_number.as_deref())
        .bind(dealer.gln.as_ref().map(|g| g.as_str()))
        .bind(dealer.tier)
        .bind(dealer.parent_dealer_id)
        .bind(dealer.region_id)
        .bind(status.code())
        .bind(now)
        .bind(dealer.currency.as_deref()),
    )
    .await?;
    Ok(())
}

pub async fn tenant_group_ids(tx: &mut Tx, tenant_id: TenantId, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::new("SELECT id FROM dealer_groups WHERE tenant_id = $1 AND id IN ").bind(tenant_id);
    query.push_bind_list(ids.iter().copied());
    tx.fetch_all(&query).await?.iter().map(|row| row.get("id")).collect()
}

pub async fn dealer_has_tier2(tx: &mut Tx, id: DealerId) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(&Query::new("SELECT id FROM dealers WHERE parent_dealer_id = $1 LIMIT 1").bind(id))
        .await?
        .is_some())
}

// ----- delivery locations and contacts -----

fn read_location(row: &Row) -> Result<DeliveryLocation, DbError> {
    Ok(DeliveryLocation {
        id: row.get("id")?,
        dealer_id: DealerId(row.get("dealer_id")?),
        code: row.get("code")?,
        name: row.get("name")?,
        address: row.get("address")?,
        gln: row.get("gln")?,
        is_primary: row.get("is_primary")?,
    })
}

pub async fn list_locations(db: &Db, dealer_id: DealerId) -> Result<Vec<DeliveryLocation>, DbError> {
    db.fetch_all(
        &Query::new(
            "SELECT id, dealer_id, code, name, address, gln, is_primary FROM delivery_locations
             WHERE dealer_id = $1 ORDER BY is_primary DESC, code",
        )
        .bind(dealer_id),
    )
    .await?
    .iter()
    .map(read_location)
    .collect()
}

pub async fn location_code_taken(tx: &mut Tx, dealer_id: DealerId, code: &str) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new("SELECT id FROM delivery_locations WHERE dealer_id = $1 AND code = $2")
                .bind(dealer_id)
                .bind(code),
        )
        .await?
        .is_some())
}

pub async fn dealer_has_locations(tx: &mut Tx, dealer_id: DealerId) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(&Query::new("SELECT id FROM delivery_locations WHERE dealer_id = $1 LIMIT 1").bind(dealer_id))
        .await?
        .is_some())
}

pub struct ValidLocation {
    pub code: String,
    pub name: String,
    pub address: String,
    pub gln: Option<String>,
    pub is_primary: bool,
}

/// Adds a location; a new primary location takes over from the old one.
pub async fn insert_location(
    tx: &mut Tx,
    tenant_id: TenantId,
    dealer_id: DealerId,
    location: &ValidLocation,
    now: DateTime<Utc>,
) -> Result<DeliveryLocation, DbError> {
    if location.is_primary {
        tx.execute(
            &Query::new("UPDATE delivery_locations SET is_primary = $2 WHERE dealer_id = $1")
                .bind(dealer_id)
                .bind(false),
        )
        .await?;
    }
    let row = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO delivery_locations (tenant_id, dealer_id, code, name, address, gln, is_primary, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 RETURNING id, dealer_id, code, name, address, gln, is_primary",
            )
            .bind(tenant_id)
            .bind(dealer_id)
            .bind(&location.code)
            .bind(&location.name)
            .bind(&location.address)
            .bind(location.gln.as_deref())
            .bind(location.is_primary)
            .bind(now),
        )
        .await?;
    read_location(&row)
}

fn read_contact(row: &Row) -> Result<Contact, DbError> {
    Ok(Contact {
        id: row.get("id")?,
        dealer_id: DealerId(row.get("dealer_id")?),
        name: row.get("name")?,
        position: row.get("position")?,
        email: row.get("email")?,
        phone: row.get("phone")?,
    })
}

pub async fn list_contacts(db: &Db, dealer_id: DealerId) -> Result<Vec<Contact>, DbError> {
    db.fetch_all(
        &Query::new("SELECT id, dealer_id, name, position, email, phone FROM dealer_contacts WHERE dealer_id = $1 ORDER BY name")
            .bind(dealer_id),
    )
    .await?
    .iter()
    .map(read_contact)
    .collect()
}

pub async fn insert_contact(
    tx: &mut Tx,
    tenant_id: TenantId,
    dealer_id: DealerId,
    contact: &ContactInput,
    now: DateTime<Utc>,
) -> Result<Contact, DbError> {
    let row = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO dealer_contacts (tenant_id, dealer_id, name, position, email, phone, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, dealer_id, name, position, email, phone",
            )
            .bind(tenant_id)
            .bind(dealer_id)
            .bind(&contact.name)
            .bind(contact.position.as_deref())
            .bind(contact.email.as_deref())
            .bind(contact.phone.as_deref())
            .bind(now),
        )
        .await?;
    read_contact(&row)
}

// ----- users -----

/// A user with their roles and regions, in one row: each list travels as its codes or ids
/// joined by commas, so that a page of users costs one query rather than three per user.
const USER_SELECT: &str = "SELECT u.id, u.tenant_id, u.login, u.display_name, u.password_hash, u.locale, u.dealer_id, \
     d.legal_name AS dealer_name, u.all_regions, u.sees_tier2, u.status, u.must_change_password, u.created_at, \
     (SELECT string_agg(r.role, ',' ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles, \
     (SELECT string_agg(CAST(g.region_id AS TEXT), ',' ORDER BY g.region_id) FROM user_regions g \
      WHERE g.user_id = u.id) AS region_ids \
     FROM users u LEFT JOIN dealers d ON d.id = u.dealer_id";

/// [`USER_SELECT`] for a request's sign-in: with `columns` of a joined table (a session or a
/// token) and the audience of the user's dealer, then `rest` (the join and its condition).
fn signed_in_select(columns: &str, rest: &str) -> String {
    let user = USER_SELECT.replacen("SELECT ", &format!("SELECT {columns}, {AUDIENCE_COLUMNS}, "), 1);
    format!("{user} LEFT JOIN tenants tn ON tn.id = d.tenant_id {rest}")
}

/// A user row with what sign-in needs besides the public fields.
pub struct StoredUser {
    pub user: User,
    pub tenant_id: TenantId,
    pub password_hash: String,
    /// The audience of a dealer user's dealer, when read with the user ([`signed_in_select`]).
    pub audience: Option<platform::DealerAudience>,
}

/// A user read by [`signed_in_select`], with its dealer's audience.
fn read_signed_in(row: &Row) -> Result<StoredUser, DbError> {
    let mut stored = read_user(row)?;
    if let Some(dealer_id) = stored.user.dealer_id {
        stored.audience = Some(read_audience(row, dealer_id)?);
    }
    Ok(stored)
}

fn read_user(row: &Row) -> Result<StoredUser, DbError> {
    let id = UserId(row.get("id")?);
    let roles = listed(row, "roles")?
        .iter()
        .filter_map(|code| Role::parse(code))
        .collect();
    let region_ids = row.get_ids("region_ids")?.into_iter().map(RegionId).collect();
    Ok(StoredUser {
        tenant_id: TenantId(row.get("tenant_id")?),
        audience: None,
        password_hash: row.get("password_hash")?,
        user: User {
            id,
            login: row.get("login")?,
            display_name: row.get("display_name")?,
            locale: row.get::<Option<String>>("locale")?.and_then(|l| Locale::parse(&l)),
            dealer_id: row.get::<Option<i64>>("dealer_id")?.map(DealerId),
            dealer_name: row.get("dealer_name")?,
            roles,
            region_ids,
            all_regions: row.get("all_regions")?,
            sees_tier2: row.get("sees_tier2")?,
            status: UserStatus::parse(&row.get::<String>("status")?).unwrap_or(UserStatus::Disabled),
            must_change_password: row.get("must_change_password")?,
            created_at: row.get("created_at")?,
        },
    })
}

/// The items of a list read joined by commas (`string_agg`), none for NULL.
fn listed(row: &Row, column: &str) -> Result<Vec<String>, DbError> {
    Ok(row
        .get::<Option<String>>(column)?
        .map(|joined| joined.split(',').map(str::to_owned).collect())
        .unwrap_or_default())
}

fn parsed(item: &str, column: &str) -> Result<i64, DbError> {
    item.parse().map_err(|_| DbError::Column {
        column: column.into(),
        problem: format!("{item:?} is not a number"),
    })
}

pub async fn find_user_by_login(db: &Db, login: &str) -> Result<Option<StoredUser>, DbError> {
    let query = Query::new(format!("{USER_SELECT} WHERE u.login = $1")).bind(login.trim().to_lowercase());
    db.fetch_optional(&query).await?.map(|row| read_user(&row)).transpose()
}

pub async fn find_user_by_id(source: &mut Source<'_>, id: UserId) -> Result<Option<StoredUser>, DbError> {
    let query = Query::new(format!("{USER_SELECT} WHERE u.id = $1")).bind(id);
    source
        .fetch_optional(&query)
        .await?
        .map(|row| read_user(&row))
        .transpose()
}

/// Users the actor may see: all of the tenant's for a tenant-wide scope, those of visible
/// dealers otherwise (internal users are only visible tenant-wide).
fn user_scope(query: &mut Query, actor: &Actor) {
    query.push(" WHERE u.tenant_id = ").push_bind(actor.tenant_id);
    if actor.scope != DataScope::Tenant {
        query.push(" AND u.dealer_id IS NOT NULL");
        actor.scope.restrict_dealer(query, "u.dealer_id");
    }
}

pub async fn find_visible_user(db: &Db, actor: &Actor, id: UserId) -> Result<Option<User>, DbError> {
    let mut query = Query::new(USER_SELECT);
    user_scope(&mut query, actor);
    query.push(" AND u.id = ").push_bind(id);
    Ok(db
        .fetch_optional(&query)
        .await?
        .map(|row| read_user(&row))
        .transpose()?
        .map(|stored| stored.user))
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub search: Option<String>,
    pub dealer_id: Option<DealerId>,
    pub status: Option<UserStatus>,
    /// Parsed with [`USER_SORT`].
    pub sort: platform::Sort,
}

/// The user list's sortable columns.
pub const USER_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("login", "u.login"),
        platform::SortColumn::new("display_name", "u.display_name"),
        platform::SortColumn::nullable("dealer", "d.legal_name"),
        platform::SortColumn::new("status", "u.status"),
        platform::SortColumn::new("created_at", "u.created_at"),
    ],
    default: "login",
    tiebreaker: "u.id",
};

pub async fn list_users(
    db: &Db,
    actor: &Actor,
    filter: &UserFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<User>, DbError> {
    let mut condition = Query::new("");
    user_scope(&mut condition, actor);
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = platform::db::like_contains(search);
        condition
            .push(" AND (u.login LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\'");
        condition
            .push(" OR LOWER(u.display_name) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(dealer_id) = filter.dealer_id {
        condition.push(" AND u.dealer_id = ").push_bind(dealer_id);
    }
    if let Some(status) = filter.status {
        condition.push(" AND u.status = ").push_bind(status.code());
    }
    platform::db::fetch_page(
        db,
        "users u",
        USER_SELECT,
        condition,
        &USER_SORT.order_by(filter.sort),
        page,
        |row| read_user(row).map(|stored| stored.user),
    )
    .await
}

pub async fn login_taken(tx: &mut Tx, login: &str, except: Option<UserId>) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new("SELECT id FROM users WHERE login = $1 AND id <> $2")
                .bind(login)
                .bind(except.map_or(0, UserId::get)),
        )
        .await?
        .is_some())
}

pub async fn insert_user(
    tx: &mut Tx,
    tenant_id: TenantId,
    user: &ValidUser,
    password_hash: &str,
    must_change_password: bool,
    now: DateTime<Utc>,
) -> Result<UserId, DbError> {
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO users (tenant_id, login, display_name, password_hash, locale, dealer_id, all_regions, sees_tier2,
                     status, must_change_password, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(tenant_id)
            .bind(&user.login)
            .bind(&user.display_name)
            .bind(password_hash)
            .bind(user.locale.map(Locale::code))
            .bind(user.dealer_id)
            .bind(user.all_regions)
            .bind(user.sees_tier2)
            .bind(user.status.code())
            .bind(must_change_password)
            .bind(now),
        )
        .await?
        .get("id")?;
    let id = UserId(id);
    replace_roles_and_regions(tx, tenant_id, id, user).await?;
    Ok(id)
}

pub async fn update_user(
    tx: &mut Tx,
    tenant_id: TenantId,
    id: UserId,
    user: &ValidUser,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "UPDATE users SET login = $2, display_name = $3, locale = $4, all_regions = $5, sees_tier2 = $6, status = $7,
                 updated_at = $8 WHERE id = $1",
        )
        .bind(id)
        .bind(&user.login)
        .bind(&user.display_name)
        .bind(user.locale.map(Locale::code))
        .bind(user.all_regions)
        .bind(user.sees_tier2)
        .bind(user.status.code())
        .bind(now),
    )
    .await?;
    replace_roles_and_regions(tx, tenant_id, id, user).await
}

async fn replace_roles_and_regions(
    tx: &mut Tx,
    tenant_id: TenantId,
    id: UserId,
    user: &ValidUser,
) -> Result<(), DbError> {
    tx.execute(&Query::new("DELETE FROM user_roles WHERE user_id = $1").bind(id))
        .await?;
    tx.execute(&Query::new("DELETE FROM user_regions WHERE user_id = $1").bind(id))
        .await?;
    for role in &user.roles {
        tx.execute(
            &Query::new("INSERT INTO user_roles (tenant_id, user_id, role) VALUES ($1, $2, $3)")
                .bind(tenant_id)
                .bind(id)
                .bind(role.code()),
        )
        .await?;
    }
    for region_id in &user.region_ids {
        tx.execute(
            &Query::new("INSERT INTO user_regions (tenant_id, user_id, region_id) VALUES ($1, $2, $3)")
                .bind(tenant_id)
                .bind(id)
                .bind(*region_id),
        )
        .await?;
    }
    Ok(())
}

pub async fn set_password(
    tx: &mut Tx,
    id: UserId,
    password_hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new("UPDATE users SET password_hash = $2, must_change_password = $3, updated_at = $4 WHERE id = $1")
            .bind(id)
            .bind(password_hash)
            .bind(must_change)
            .bind(now),
    )
    .await?;
    Ok(())
}

pub async fn set_user_locale(
    tx: &mut Tx,
    id: UserId,
    locale: Option<Locale>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new("UPDATE users SET locale = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(locale.map(Locale::code))
            .bind(now),
    )
    .await?;
    Ok(())
}

/// Ends every session and sign-in token of a user, after a password change or when disabled.
pub async fn end_sessions_of(tx: &mut Tx, id: UserId, now: DateTime<Utc>) -> Result<(), DbError> {
    tx.execute(&Query::new("DELETE FROM sessions WHERE user_id = $1").bind(id))
        .await?;
    tx.execute(
        &Query::new("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND expires_at IS NOT NULL AND revoked_at IS NULL")
            .bind(id)
            .bind(now),
    )
    .await?;
    Ok(())
}

// ----- sign-in, sessions, tokens -----

pub async fn recent_failed_attempts(
    db: &Db,
    login: &str,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), DbError> {
    let row = db
        .fetch_one(
            &Query::new(
                "SELECT COUNT(*) AS failures, MIN(attempted_at) AS oldest FROM login_attempts
                 WHERE login = $1 AND attempted_at >= $2",
            )
            .bind(login)
            .bind(since),
        )
        .await?;
    Ok((row.get("failures")?, row.get("oldest")?))
}

pub async fn record_failed_attempt(db: &Db, login: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    db.execute(
        &Query::new("INSERT INTO login_attempts (login, attempted_at) VALUES ($1, $2)")
            .bind(login)
            .bind(now),
    )
    .await?;
    Ok(())
}

pub async fn clear_failed_attempts(tx: &mut Tx, login: &str) -> Result<(), DbError> {
    tx.execute(&Query::new("DELETE FROM login_attempts WHERE login = $1").bind(login))
        .await?;
    Ok(())
}

pub async fn insert_session(
    tx: &mut Tx,
    digest: &str,
    tenant_id: TenantId,
    user_id: UserId,
    csrf_token: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "INSERT INTO sessions (token_digest, tenant_id, user_id, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(digest)
        .bind(tenant_id)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at),
    )
    .await?;
    Ok(())
}

/// The user of a live session, with the session's CSRF token: one query with the user's.
pub async fn find_session_user(
    db: &Db,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<Option<(StoredUser, String)>, DbError> {
    let query = Query::new(signed_in_select(
        "s.csrf_token",
        "JOIN sessions s ON s.user_id = u.id WHERE s.token_digest = $1 AND s.expires_at > $2",
    ))
    .bind(digest)
    .bind(now);
    let Some(row) = db.fetch_optional(&query).await? else {
        return Ok(None);
    };
    Ok(Some((read_signed_in(&row)?, row.get("csrf_token")?)))
}

pub async fn delete_session(db: &Db, digest: &str) -> Result<(), DbError> {
    db.execute(&Query::new("DELETE FROM sessions WHERE token_digest = $1").bind(digest))
        .await?;
    Ok(())
}

pub async fn delete_expired(db: &Db, now: DateTime<Utc>, attempts_before: DateTime<Utc>) -> Result<u64, DbError> {
    let sessions = db
        .execute(&Query::new("DELETE FROM sessions WHERE expires_at <= $1").bind(now))
        .await?;
    let attempts = db
        .execute(&Query::new("DELETE FROM login_attempts WHERE attempted_at < $1").bind(attempts_before))
        .await?;
    Ok(sessions + attempts)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_api_token(
    tx: &mut Tx,
    tenant_id: TenantId,
    user_id: UserId,
    name: &str,
    digest: &str,
    role: Option<Role>,
    created_by: Option<UserId>,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO api_tokens (tenant_id, user_id, name, token_digest, role, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(name)
        .bind(digest)
        .bind(role.map(Role::code))
        .bind(created_by)
        .bind(now)
        .bind(expires_at),
    )
    .await?
    .get("id")
}

const TOKEN_SELECT: &str =
    "SELECT t.id, t.name, t.user_id, u.login AS user_login, t.role, t.created_at, t.expires_at, \
     t.revoked_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id";

fn read_token(row: &Row) -> Result<ApiToken, DbError> {
    Ok(ApiToken {
        id: row.get("id")?,
        name: row.get("name")?,
        user_id: UserId(row.get("user_id")?),
        user_login: row.get("user_login")?,
        role: row.get("role")?,
        created_at: row.get("created_at")?,
        expires_at: row.get("expires_at")?,
        revoked_at: row.get("revoked_at")?,
        last_used_at: row.get("last_used_at")?,
    })
}

pub async fn find_api_token(
    source: &mut Source<'_>,
    tenant_id: TenantId,
    id: i64,
) -> Result<Option<ApiToken>, DbError> {
    source
        .fetch_optional(
            &Query::new(format!("{TOKEN_SELECT} WHERE t.tenant_id = $1 AND t.id = $2"))
                .bind(tenant_id)
                .bind(id),
        )
        .await?
        .as_ref()
        .map(read_token)
        .transpose()
}

/// Integration tokens an administrator created; sign-in tokens are not listed.
/// Which integration tokens a list shows, and in which order.
#[derive(Debug, Clone, Default)]
pub struct ApiTokenFilter {
    /// `active` (not revoked) or `revoked`; both when `None`.
    pub state: Option<String>,
    /// Parsed with [`API_TOKEN_SORT`].
    pub sort: platform::Sort,
}

/// The token list's sortable columns; newest first by default.
pub const API_TOKEN_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("name", "t.name"),
        platform::SortColumn::new("user", "u.login"),
        platform::SortColumn::nullable("role", "t.role"),
        platform::SortColumn::new("created_at", "t.created_at"),
        platform::SortColumn::nullable("expires_at", "t.expires_at"),
        platform::SortColumn::nullable("last_used_at", "t.last_used_at"),
        platform::SortColumn::nullable("revoked_at", "t.revoked_at"),
    ],
    default: "-created_at",
    tiebreaker: "t.id",
};

pub async fn list_api_tokens(
    db: &Db,
    tenant_id: TenantId,
    filter: &ApiTokenFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<ApiToken>, DbError> {
    let mut condition = Query::new(" WHERE t.tenant_id = $1 AND t.created_by IS NOT NULL").bind(tenant_id);
    match filter.state.as_deref() {
        Some("active") => {
            condition.push(" AND t.revoked_at IS NULL");
        }
        Some("revoked") => {
            condition.push(" AND t.revoked_at IS NOT NULL");
        }
        _ => {}
    }
    platform::db::fetch_page(
        db,
        "api_tokens t",
        TOKEN_SELECT,
        condition,
        &API_TOKEN_SORT.order_by(filter.sort),
        page,
        read_token,
    )
    .await
}

pub async fn revoke_api_token(tx: &mut Tx, tenant_id: TenantId, id: i64, now: DateTime<Utc>) -> Result<(), DbError> {
    tx.execute(
        &Query::new("UPDATE api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL")
            .bind(tenant_id)
            .bind(id)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// A live token: its id, the role it is limited to, and whether its last use is noted as over a
/// minute ago.
pub struct LiveToken {
    pub id: i64,
    pub role: Option<Role>,
    pub stale: bool,
}

/// A live API token and its user: one query with the user's.
pub async fn find_token_user(
    db: &Db,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<Option<(LiveToken, StoredUser)>, DbError> {
    let query = Query::new(signed_in_select(
        "t.id AS token_id, t.role AS token_role, t.last_used_at AS token_used_at",
        "JOIN api_tokens t ON t.user_id = u.id
         WHERE t.token_digest = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)",
    ))
    .bind(digest)
    .bind(now);
    let Some(row) = db.fetch_optional(&query).await? else {
        return Ok(None);
    };
    let role: Option<String> = row.get("token_role")?;
    let last_used_at: Option<DateTime<Utc>> = row.get("token_used_at")?;
    let user = read_signed_in(&row)?;
    let token = LiveToken {
        id: row.get("token_id")?,
        role: role.as_deref().and_then(Role::parse),
        stale: last_used_at.is_none_or(|last| last < now - TOUCH_EVERY),
    };
    Ok(Some((token, user)))
}

/// How often a token's last use is noted: a write on every request would make each API call
/// wait for a disk flush.
const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// Notes when a token was last used, at most once a minute.
pub async fn touch_api_token(db: &Db, id: i64, now: DateTime<Utc>) -> Result<(), DbError> {
    db.execute(
        &Query::new(
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(id)
        .bind(now)
        .bind(now - TOUCH_EVERY),
    )
    .await?;
    Ok(())
}

// ----- bulk imports -----

pub struct DealerRow<'a> {
    pub dealer: &'a ValidDealer,
    pub status: DealerStatus,
}

pub async fn insert_dealers(
    tx: &mut Tx,
    tenant_id: TenantId,
    rows: &[DealerRow<'_>],
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let values: Vec<Vec<platform::db::Value>> = rows
        .iter()
        .map(|row| {
            let d = row.dealer;
            vec![
                tenant_id.into(),
                d.code.as_str().into(),
                d.legal_name.as_str().into(),
                dealer_search_text(&d.code, &d.legal_name).into(),
                d.tax_number.as_deref().into(),
                d.gln.as_ref().map(|g| g.as_str()).into(),
                d.tier.into(),
                d.parent_dealer_id.into(),
                d.region_id.into(),
                row.status.code().into(),
                now.into(),
                now.into(),
                d.currency.as_deref().into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO dealers (tenant_id, code, legal_name, search_text, tax_number, gln, tier, parent_dealer_id, region_id, status, created_at, updated_at, currency)",
        &values,
    )
    .await
}

/// The tenant's dealer ids by code.
pub async fn dealer_ids_by_code(
    source: &mut Source<'_>,
    tenant_id: TenantId,
) -> Result<std::collections::HashMap<String, DealerId>, DbError> {
    source
        .fetch_all(&Query::new("SELECT code, id FROM dealers WHERE tenant_id = $1").bind(tenant_id))
        .await?
        .iter()
        .map(|row| Ok((row.get("code")?, DealerId(row.get("id")?))))
        .collect()
}

/// The ids of every region and every tier-1 dealer inside a scope, to check many references at once.
pub async fn scoped_region_ids(
    tx: &mut Tx,
    tenant_id: TenantId,
    scope: &DataScope,
) -> Result<std::collections::HashSet<RegionId>, DbError> {
    let mut query = Query::new("SELECT r.id FROM regions r WHERE r.tenant_id = $1").bind(tenant_id);
    scope.restrict_region(&mut query, "r.id");
    tx.fetch_all(&query)
        .await?
        .iter()
        .map(|row| Ok(RegionId(row.get("id")?)))
        .collect()
}

pub async fn scoped_distributor_ids(
    tx: &mut Tx,
    tenant_id: TenantId,
    scope: &DataScope,
) -> Result<std::collections::HashSet<DealerId>, DbError> {
    let mut query = Query::new("SELECT d.id FROM dealers d WHERE d.tenant_id = $1 AND d.tier = 1").bind(tenant_id);
    scope.restrict_dealer(&mut query, "d.id");
    tx.fetch_all(&query)
        .await?
        .iter()
        .map(|row| Ok(DealerId(row.get("id")?)))
        .collect()
}

pub async fn insert_group_members(
    tx: &mut Tx,
    tenant_id: TenantId,
    members: &[(i64, DealerId)],
) -> Result<u64, DbError> {
    let values: Vec<Vec<platform::db::Value>> = members
        .iter()
        .map(|(group, dealer)| vec![tenant_id.into(), (*group).into(), (*dealer).into()])
        .collect();
    tx.insert_many(
        "INSERT INTO dealer_group_members (tenant_id, group_id, dealer_id)",
        &values,
    )
    .await
}

pub async fn insert_locations(
    tx: &mut Tx,
    tenant_id: TenantId,
    locations: &[(DealerId, &ValidLocation)],
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let values: Vec<Vec<platform::db::Value>> = locations
        .iter()
        .map(|(dealer, location)| {
            vec![
                tenant_id.into(),
                (*dealer).into(),
                location.code.as_str().into(),
                location.name.as_str().into(),
                location.address.as_str().into(),
                location.gln.as_deref().into(),
                location.is_primary.into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO delivery_locations (tenant_id, dealer_id, code, name, address, gln, is_primary, created_at)",
        &values,
    )
    .await
}

pub async fn insert_users(
    tx: &mut Tx,
    tenant_id: TenantId,
    users: &[ValidUser],
    password_hash: &str,
    must_change_password: bool,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let values: Vec<Vec<platform::db::Value>> = users
        .iter()
        .map(|user| {
            vec![
                tenant_id.into(),
                user.login.as_str().into(),
                user.display_name.as_str().into(),
                password_hash.into(),
                user.locale.map(Locale::code).into(),
                user.dealer_id.into(),
                user.all_regions.into(),
                user.sees_tier2.into(),
                user.status.code().into(),
                must_change_password.into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    let inserted = tx
        .insert_many(
            "INSERT INTO users (tenant_id, login, display_name, password_hash, locale, dealer_id, all_regions, sees_tier2, status, must_change_password, created_at, updated_at)",
            &values,
        )
        .await?;
    let ids: std::collections::HashMap<String, i64> = tx
        .fetch_all(&Query::new("SELECT login, id FROM users WHERE tenant_id = $1").bind(tenant_id))
        .await?
        .iter()
        .map(|row| Ok((row.get("login")?, row.get("id")?)))
        .collect::<Result<_, DbError>>()?;
    let mut roles = Vec::new();
    let mut regions = Vec::new();
    for user in users {
        let Some(id) = ids.get(&user.login) else { continue };
        roles.extend(
            user.roles
                .iter()
                .map(|role| vec![tenant_id.into(), (*id).into(), role.code().into()]),
        );
        regions.extend(
            user.region_ids
                .iter()
                .map(|region| vec![tenant_id.into(), (*id).into(), (*region).into()]),
        );
    }
    tx.insert_many("INSERT INTO user_roles (tenant_id, user_id, role)", &roles)
        .await?;
    tx.insert_many("INSERT INTO user_regions (tenant_id, user_id, region_id)", &regions)
        .await?;
    Ok(inserted)
}

// ----- audiences -----

/// The columns of a dealer's audience, for a query that joins the dealer as `d` and its tenant
/// as `tn`. The dealer's groups, and the regions above its own (nearest first) as "id:depth",
/// ride along in the dealer's row: every request of a dealer user reads it.
const AUDIENCE_COLUMNS: &str = "d.tier, COALESCE(d.currency, tn.currency) AS currency, \
     (SELECT string_agg(CAST(m.group_id AS TEXT), ',' ORDER BY m.group_id) \
      FROM dealer_group_members m WHERE m.dealer_id = d.id) AS group_ids, \
     (SELECT string_agg(CAST(c.ancestor_id AS TEXT) || ':' || CAST(c.depth AS TEXT), ',' ORDER BY c.depth) \
      FROM region_closure c WHERE c.descendant_id = d.region_id) AS regions";

/// The dealer's tier, groups, regions up the tree and currency, if the dealer lies in `scope`.
pub async fn dealer_audience(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    id: DealerId,
) -> Result<Option<platform::DealerAudience>, DbError> {
    let mut query = Query::new(format!(
        "SELECT {AUDIENCE_COLUMNS} FROM dealers d JOIN tenants tn ON tn.id = d.tenant_id \
         WHERE d.tenant_id = $1 AND d.id = $2"
    ))
    .bind(tenant_id)
    .bind(id);
    scope.restrict_dealer(&mut query, "d.id");
    db.fetch_optional(&query)
        .await?
        .map(|row| read_audience(&row, id))
        .transpose()
}

fn read_audience(row: &Row, dealer_id: DealerId) -> Result<platform::DealerAudience, DbError> {
    let regions = listed(row, "regions")?
        .iter()
        .map(|pair| {
            let (ancestor, depth) = pair.split_once(':').unwrap_or((pair, ""));
            Ok((RegionId(parsed(ancestor, "regions")?), parsed(depth, "regions")?))
        })
        .collect::<Result<_, DbError>>()?;
    Ok(platform::DealerAudience {
        dealer_id,
        tier: row.get("tier")?,
        group_ids: row.get_ids("group_ids")?,
        regions,
        currency: row.get("currency")?,
    })
}
