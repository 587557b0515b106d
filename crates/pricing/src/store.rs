//! Pricing's SQL.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use platform::db::Value;
use platform::{DbError, Query, TenantId, Tx};

use platform::{Currency, Money};

use crate::domain::{
    Audience, PriceList, PriceListFilter, PriceRow, PriceRowFilter, PromotionFilter, PromotionSummary, StoredTerms,
    ValidPriceList, ValidPriceRow, ValidPromotion,
};
use crate::engine::Candidate;
use crate::in_force::{Entry, InForce, Standing};
use crate::kept::{Kept, Revisions};
use crate::list_book::{ListBook, ListHead};
use crate::promotions::Promotion;

pub async fn insert_price_list(
    tx: &mut Tx,
    tenant_id: TenantId,
    list: &ValidPriceList,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO price_lists (tenant_id, code, name, audience, audience_id, currency, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(tenant_id)
        .bind(&list.code)
        .bind(&list.name)
        .bind(list.audience.code())
        .bind(list.audience_id)
        .bind(list.currency.code())
        .bind(now),
    )
    .await?
    .get("id")
}

/// The list's currency, if the list belongs to the tenant.
pub async fn price_list_currency(tx: &mut Tx, tenant_id: TenantId, id: i64) -> Result<Option<String>, DbError> {
    tx.fetch_optional(
        &Query::new("SELECT currency FROM price_lists WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id),
    )
    .await?
    .map(|row| row.get("currency"))
    .transpose()
}

/// How many of these product ids belong to the tenant.
pub async fn count_tenant_products(tx: &mut Tx, tenant_id: TenantId, ids: &[i64]) -> Result<usize, DbError> {
    let mut found = 0;
    for chunk in ids.chunks(1000) {
        let mut query =
            Query::new("SELECT COUNT(*) AS n FROM products WHERE tenant_id = $1 AND id IN ").bind(tenant_id);
        query.push_bind_list(chunk.iter().copied());
        let n: i64 = tx.fetch_one(&query).await?.get("n")?;
        found += usize::try_from(n).unwrap_or(0);
    }
    Ok(found)
}

pub async fn insert_price_rows(
    tx: &mut Tx,
    tenant_id: TenantId,
    price_list_id: i64,
    rows: &[ValidPriceRow],
) -> Result<u64, DbError> {
    let values: Vec<Vec<Value>> = rows
        .iter()
        .map(|row| {
            vec![
                tenant_id.into(),
                price_list_id.into(),
                row.product_id.into(),
                row.min_quantity.into(),
                row.unit_price.minor().into(),
                row.valid_from.into(),
                row.valid_to.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO price_list_rows (tenant_id, price_list_id, product_id, min_quantity, unit_price_minor, valid_from, valid_to)",
        &values,
    )
    .await
}

/// Every price row that may apply to the dealer for these products on `date`, from lists in
/// the dealer's currency: the dealer's lists from the tenant's lists kept in memory, then their
/// rows of these products in one query per 500 products.
pub async fn candidates(
    db: &platform::Db,
    tenant_id: TenantId,
    revisions: Revisions,
    audience: &platform::DealerAudience,
    product_ids: &[i64],
    date: chrono::NaiveDate,
) -> Result<Vec<(i64, Candidate)>, DbError> {
    let mut found = Vec::new();
    if product_ids.is_empty() {
        return Ok(found);
    }
    let book = list_book(db, tenant_id, revisions.price_lists).await?;
    let lists: std::collections::HashMap<i64, &ListHead> =
        book.for_dealer(audience).map(|head| (head.id, head)).collect();
    if lists.is_empty() {
        return Ok(found);
    }
    for chunk in product_ids.chunks(500) {
        // The lists are named by id rather than joined: a join leaves the planners to guess how
        // many rows a list has, and a base list holds a row for every product while a dealer's
        // holds a few. PostgreSQL guessed a few for each and read the whole base list (34 ms for
        // a 500-line cart on the large demo, 5.5 ms with the ids); SQLite read every list's rows of
        // each product unless told the join's order.
        let mut query = Query::new(
            "SELECT product_id, min_quantity, unit_price_minor, valid_from, valid_to, price_list_id
             FROM price_list_rows
             WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) AND price_list_id IN ",
        )
        .bind(date)
        .planned_per_run();
        query
            .push_bind_list(lists.keys().copied())
            .push(" AND product_id IN ")
            .push_bind_list(chunk.iter().copied());
        for row in db.fetch_all(&query).await? {
            let price_list_id: i64 = row.get("price_list_id")?;
            let Some(list) = lists.get(&price_list_id) else {
                continue;
            };
            found.push((
                row.get("product_id")?,
                Candidate {
                    price_list_id,
                    price_list_code: list.code.clone(),
                    audience: list.audience,
                    region_distance: list.region_distance(audience),
                    min_quantity: row.get("min_quantity")?,
                    unit_price: Money::new(row.get("unit_price_minor")?, list.currency),
                    valid_from: row.get("valid_from")?,
                    valid_to: row.get("valid_to")?,
                },
            ));
        }
    }
    Ok(found)
}

/// The tenant's price lists as this process keeps them, read again when the tenant's price lists
/// revision has moved since.
async fn list_book(db: &platform::Db, tenant_id: TenantId, revision: i64) -> Result<Arc<ListBook>, DbError> {
    db.shared::<Kept<ListBook>>()
        .current_or_read(
            tenant_id,
            |book| book.revision == revision,
            || read_list_book(db, tenant_id, revision),
        )
        .await
}

/// Reads every price list of the tenant, once per revision. A list whose audience or currency
/// this build does not know (written around the application) prices nothing; the log says so,
/// and the tenant's other lists still price.
async fn read_list_book(db: &platform::Db, tenant_id: TenantId, revision: i64) -> Result<ListBook, DbError> {
    let query = Query::new("SELECT id, code, audience, audience_id, currency FROM price_lists WHERE tenant_id = $1")
        .bind(tenant_id);
    let mut heads = Vec::new();
    for row in db.fetch_all(&query).await? {
        let id: i64 = row.get("id")?;
        let audience = Audience::parse(&row.get::<String>("audience")?);
        let currency = Currency::parse(&row.get::<String>("currency")?);
        let (Some(audience), Ok(currency)) = (audience, currency) else {
            tracing::warn!(tenant = %tenant_id, price_list = id, "a price list's audience or currency is unknown: it prices nothing");
            continue;
        };
        heads.push(ListHead {
            id,
            code: row.get("code")?,
            audience,
            audience_id: row.get("audience_id")?,
            currency,
        });
    }
    Ok(ListBook::new(revision, heads))
}

/// Existing rows of a list for these products, to refuse overlapping periods.
pub async fn existing_periods(
    tx: &mut Tx,
    price_list_id: i64,
    product_ids: &[i64],
) -> Result<Vec<(i64, i64, chrono::NaiveDate, Option<chrono::NaiveDate>)>, DbError> {
    let mut found = Vec::new();
    for chunk in product_ids.chunks(1000) {
        let mut query = Query::new("SELECT product_id, min_quantity, valid_from, valid_to FROM price_list_rows WHERE price_list_id = $1 AND product_id IN ")
            .bind(price_list_id);
        query.push_bind_list(chunk.iter().copied());
        for row in tx.fetch_all(&query).await? {
            found.push((
                row.get("product_id")?,
                row.get("min_quantity")?,
                row.get("valid_from")?,
                row.get("valid_to")?,
            ));
        }
    }
    Ok(found)
}

const LIST_SELECT: &str = "SELECT l.id, l.code, l.name, l.audience, l.audience_id, l.currency, l.created_at, \
     (SELECT COUNT(*) FROM price_list_rows r WHERE r.price_list_id = l.id) AS row_count FROM price_lists l";

fn read_list(row: &platform::Row) -> Result<PriceList, DbError> {
    Ok(PriceList {
        id: row.get("id")?,
        code: row.get("code")?,
        name: row.get("name")?,
        audience: row.get("audience")?,
        audience_id: row.get("audience_id")?,
        currency: row.get("currency")?,
        row_count: row.get("row_count")?,
        created_at: row.get("created_at")?,
    })
}

/// The price-list list's sortable columns.
pub const PRICE_LIST_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("code", "l.code"),
        platform::SortColumn::new("name", "l.name"),
        platform::SortColumn::new("currency", "l.currency"),
        platform::SortColumn::new("rows", "row_count"),
        platform::SortColumn::new("created_at", "l.created_at"),
    ],
    default: "code",
    tiebreaker: "l.id",
};

pub async fn list_price_lists(
    db: &platform::Db,
    tenant_id: TenantId,
    filter: &PriceListFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<PriceList>, DbError> {
    let mut condition = Query::new(" WHERE l.tenant_id = $1").bind(tenant_id);
    if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let pattern = platform::db::like_contains(search);
        condition
            .push(" AND (LOWER(l.code) LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(l.name) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(currency) = filter.currency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        condition.push(" AND l.currency = ").push_bind(currency.to_uppercase());
    }
    let order_by = PRICE_LIST_SORT.order_by(filter.sort);
    platform::db::fetch_page(db, "price_lists l", LIST_SELECT, condition, &order_by, page, read_list).await
}

pub async fn find_price_list_by_code(
    db: &platform::Db,
    tenant_id: TenantId,
    code: &str,
) -> Result<Option<PriceList>, DbError> {
    db.fetch_optional(
        &Query::new(format!("{LIST_SELECT} WHERE l.tenant_id = $1 AND l.code = $2"))
            .bind(tenant_id)
            .bind(code.trim()),
    )
    .await?
    .as_ref()
    .map(read_list)
    .transpose()
}

pub async fn find_price_list(db: &platform::Db, tenant_id: TenantId, id: i64) -> Result<Option<PriceList>, DbError> {
    db.fetch_optional(
        &Query::new(format!("{LIST_SELECT} WHERE l.tenant_id = $1 AND l.id = $2"))
            .bind(tenant_id)
            .bind(id),
    )
    .await?
    .as_ref()
    .map(read_list)
    .transpose()
}

const ROW_SELECT_FROM: &str = "SELECT r.id, r.product_id, p.sku, r.min_quantity, r.unit_price_minor, l.currency, \
     r.valid_from, r.valid_to FROM price_list_rows r JOIN products p ON p.id = r.product_id \
     JOIN price_lists l ON l.id = r.price_list_id";

/// A price list's rows' sortable columns.
pub const PRICE_ROW_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("sku", "p.sku"),
        platform::SortColumn::new("min_quantity", "r.min_quantity"),
        platform::SortColumn::new("unit_price", "r.unit_price_minor"),
        platform::SortColumn::new("valid_from", "r.valid_from"),
        platform::SortColumn::nullable("valid_to", "r.valid_to"),
    ],
    default: "sku",
    tiebreaker: "r.id",
};

/// `AND` the row's SKU contains the filter's search.
fn row_condition(tenant_id: TenantId, price_list_id: i64, filter: &PriceRowFilter) -> Query {
    let mut condition = Query::new(" WHERE r.tenant_id = $1 AND r.price_list_id = $2")
        .bind(tenant_id)
        .bind(price_list_id);
    if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        condition
            .push(" AND LOWER(p.sku) LIKE ")
            .push_bind(platform::db::like_contains(search))
            .push(" ESCAPE '\\'");
    }
    condition
}

pub async fn list_rows(
    db: &platform::Db,
    tenant_id: TenantId,
    price_list_id: i64,
    filter: &PriceRowFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<PriceRow>, DbError> {
    platform::db::fetch_page(
        db,
        "price_list_rows r JOIN products p ON p.id = r.product_id",
        ROW_SELECT_FROM,
        row_condition(tenant_id, price_list_id, filter),
        &PRICE_ROW_SORT.order_by(filter.sort),
        page,
        read_row,
    )
    .await
}

fn read_row(row: &platform::Row) -> Result<PriceRow, DbError> {
    let currency = row.get::<Currency>("currency")?;
    Ok(PriceRow {
        id: row.get("id")?,
        product_id: row.get("product_id")?,
        sku: row.get("sku")?,
        min_quantity: row.get("min_quantity")?,
        unit_price: Money::new(row.get("unit_price_minor")?, currency).to_decimal_string(),
        valid_from: row.get("valid_from")?,
        valid_to: row.get("valid_to")?,
    })
}

// ----- promotions -----

pub async fn insert_promotion(
    tx: &mut Tx,
    tenant_id: TenantId,
    promotion: &ValidPromotion,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let terms = serde_json::to_string(&promotion.terms).map_err(|e| DbError::Statement(e.to_string()))?;
    let kind = promotion.terms.kind(promotion.currency).code();
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO promotions (tenant_id, code, name, kind, terms, currency, priority, stackable, starts_on, ends_on,
                     budget_minor, budget_used_minor, quantity_cap, quantity_used, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, 0, 'active', $13, $13) RETURNING id",
            )
            .bind(tenant_id)
            .bind(&promotion.code)
            .bind(&promotion.name)
            .bind(kind)
            .bind(terms)
            .bind(promotion.currency.code())
            .bind(promotion.priority)
            .bind(promotion.stackable)
            .bind(promotion.starts_on)
            .bind(promotion.ends_on)
            .bind(promotion.budget.map(|b| b.minor()))
            .bind(promotion.quantity_cap)
            .bind(now),
        )
        .await?
        .get("id")?;
    let audiences: Vec<Vec<Value>> = promotion
        .audiences
        .iter()
        .map(|(audience, audience_id)| {
            vec![
                tenant_id.into(),
                id.into(),
                audience.as_str().into(),
                (*audience_id).into(),
            ]
        })
        .collect();
    tx.insert_many_skipping_existing(
        "INSERT INTO promotion_audiences (tenant_id, promotion_id, audience, audience_id)",
        &audiences,
        "(promotion_id, audience, audience_id)",
    )
    .await?;
    let products: Vec<Vec<Value>> = promotion
        .product_ids
        .iter()
        .map(|product| vec![tenant_id.into(), id.into(), Some(*product).into(), None::<i64>.into()])
        .chain(
            promotion
                .category_ids
                .iter()
                .map(|category| vec![tenant_id.into(), id.into(), None::<i64>.into(), Some(*category).into()]),
        )
        .collect();
    tx.insert_many(
        "INSERT INTO promotion_products (tenant_id, promotion_id, product_id, category_id)",
        &products,
    )
    .await?;
    Ok(id)
}

/// How many of these category ids belong to the tenant.
pub async fn count_tenant_categories(tx: &mut Tx, tenant_id: TenantId, ids: &[i64]) -> Result<usize, DbError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut query = Query::new("SELECT COUNT(*) AS n FROM categories WHERE tenant_id = $1 AND id IN ").bind(tenant_id);
    query.push_bind_list(ids.iter().copied());
    let n: i64 = tx.fetch_one(&query).await?.get("n")?;
    Ok(usize::try_from(n).unwrap_or(0))
}

pub async fn set_promotion_status(
    tx: &mut Tx,
    tenant_id: TenantId,
    id: i64,
    status: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    tx.execute(
        &Query::new("UPDATE promotions SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id)
            .bind(status)
            .bind(now),
    )
    .await
}

const PROMOTION_COLUMNS: &str =
    "p.id, p.code, p.name, p.kind, p.terms, p.currency, p.priority, p.stackable, p.starts_on, \
     p.ends_on, p.budget_minor, p.budget_used_minor, p.quantity_cap, p.quantity_used, p.status";

fn read_summary(row: &platform::Row) -> Result<PromotionSummary, DbError> {
    let currency = row.get::<Currency>("currency")?;
    let text = |minor: i64| Money::new(minor, currency).to_decimal_string();
    Ok(PromotionSummary {
        id: row.get("id")?,
        code: row.get("code")?,
        name: row.get("name")?,
        kind: row.get("kind")?,
        currency: currency.code().to_owned(),
        priority: row.get("priority")?,
        stackable: row.get("stackable")?,
        starts_on: row.get("starts_on")?,
        ends_on: row.get("ends_on")?,
        status: row.get("status")?,
        budget: row.get::<Option<i64>>("budget_minor")?.map(text),
        budget_used: text(row.get("budget_used_minor")?),
        quantity_cap: row.get("quantity_cap")?,
        quantity_used: row.get("quantity_used")?,
    })
}

/// The promotion list's sortable columns.
pub const PROMOTION_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("code", "p.code"),
        platform::SortColumn::new("name", "p.name"),
        platform::SortColumn::new("kind", "p.kind"),
        platform::SortColumn::new("starts_on", "p.starts_on"),
        platform::SortColumn::new("ends_on", "p.ends_on"),
        platform::SortColumn::new("priority", "p.priority"),
        platform::SortColumn::new("status", "p.status"),
    ],
    default: "-starts_on",
    tiebreaker: "p.id",
};

pub async fn list_promotions(
    db: &platform::Db,
    tenant_id: TenantId,
    filter: &PromotionFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<PromotionSummary>, DbError> {
    let mut condition = Query::new(" WHERE p.tenant_id = $1").bind(tenant_id);
    if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let pattern = platform::db::like_contains(search);
        condition
            .push(" AND (LOWER(p.code) LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(p.name) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(kind) = filter.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        condition.push(" AND p.kind = ").push_bind(kind.to_owned());
    }
    if let Some(status) = filter.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        condition.push(" AND p.status = ").push_bind(status.to_owned());
    }
    let order_by = PROMOTION_SORT.order_by(filter.sort);
    let select = format!("SELECT {PROMOTION_COLUMNS} FROM promotions p");
    platform::db::fetch_page(db, "promotions p", &select, condition, &order_by, page, read_summary).await
}

pub async fn find_promotion(
    source: &mut platform::db::Source<'_>,
    tenant_id: TenantId,
    id: i64,
) -> Result<Option<PromotionSummary>, DbError> {
    source
        .fetch_optional(
            &Query::new(format!(
                "SELECT {PROMOTION_COLUMNS} FROM promotions p WHERE p.tenant_id = $1 AND p.id = $2"
            ))
            .bind(tenant_id)
            .bind(id),
        )
        .await?
        .as_ref()
        .map(read_summary)
        .transpose()
}

/// The active promotions meant for the dealer on `date` that concern any of these products
/// (directly, or through their categories and the categories above them), each narrowed to
/// those products: from the promotions in force kept in memory, with what orders have used of
/// the capped ones read fresh.
pub async fn promotions_for(
    db: &platform::Db,
    tenant_id: TenantId,
    revisions: Revisions,
    audience: &platform::DealerAudience,
    products: &[(i64, Option<i64>)],
    date: chrono::NaiveDate,
) -> Result<Vec<Promotion>, DbError> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let in_force = in_force(db, tenant_id, revisions.promotions, date).await?;
    let concerned = in_force.concerning(audience, products);
    let capped: Vec<i64> = concerned
        .iter()
        .filter(|(standing, _)| standing.capped())
        .map(|(standing, _)| standing.promotion.id)
        .collect();
    let mut used = HashMap::new();
    if !capped.is_empty() {
        let mut query = Query::new("SELECT id, budget_used_minor, quantity_used FROM promotions WHERE id IN ");
        query.push_bind_list(capped.iter().copied());
        for row in db.fetch_all(&query).await? {
            used.insert(
                row.get::<i64>("id")?,
                (row.get::<i64>("budget_used_minor")?, row.get::<i64>("quantity_used")?),
            );
        }
    }
    Ok(concerned
        .into_iter()
        .map(|(standing, product_ids)| {
            let (budget_used, quantity_used) = used.get(&standing.promotion.id).copied().unwrap_or_default();
            let currency = standing.currency;
            Promotion {
                product_ids,
                budget_remaining: standing
                    .budget_minor
                    .map(|budget| Money::new((budget - budget_used).max(0), currency)),
                quantity_remaining: standing.quantity_cap.map(|cap| (cap - quantity_used).max(0)),
                ..standing.promotion.clone()
            }
        })
        .collect())
}

/// The tenant's promotions in force on `date`, as this process keeps them; read again when the
/// tenant's promotions revision has moved since, or the day has changed.
async fn in_force(
    db: &platform::Db,
    tenant_id: TenantId,
    revision: i64,
    date: chrono::NaiveDate,
) -> Result<Arc<InForce>, DbError> {
    db.shared::<Kept<InForce>>()
        .current_or_read(
            tenant_id,
            |book| book.revision == revision && book.date == date,
            || read_in_force(db, tenant_id, revision, date),
        )
        .await
}

/// Reads the tenant's active promotions on `date`, what they name, whom they are for, and the
/// category tree: four statements, once per revision and day.
async fn read_in_force(
    db: &platform::Db,
    tenant_id: TenantId,
    revision: i64,
    date: chrono::NaiveDate,
) -> Result<InForce, DbError> {
    let in_force = |select: String| {
        Query::new(format!(
            "{select} WHERE p.tenant_id = $1 AND p.status = 'active' AND p.starts_on <= $2 AND p.ends_on >= $2"
        ))
        .bind(tenant_id)
        .bind(date)
    };
    let mut standings = Vec::new();
    let rows = db
        .fetch_all(&in_force(format!("SELECT {PROMOTION_COLUMNS} FROM promotions p")))
        .await?;
    for row in &rows {
        let currency = row.get::<Currency>("currency")?;
        let terms: StoredTerms = serde_json::from_str(&row.get::<String>("terms")?).map_err(|e| DbError::Column {
            column: "terms".into(),
            problem: e.to_string(),
        })?;
        standings.push(Standing {
            promotion: Promotion {
                id: row.get("id")?,
                code: row.get("code")?,
                name: row.get("name")?,
                kind: terms.kind(currency),
                priority: row.get("priority")?,
                stackable: row.get("stackable")?,
                starts_on: row.get("starts_on")?,
                ends_on: row.get("ends_on")?,
                product_ids: Vec::new(),
                budget_remaining: None,
                quantity_remaining: None,
            },
            currency,
            audiences: Vec::new(),
            budget_minor: row.get("budget_minor")?,
            quantity_cap: row.get("quantity_cap")?,
        });
    }
    let mut audiences: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    for row in db
        .fetch_all(&in_force(
            "SELECT a.promotion_id, a.audience, a.audience_id FROM promotion_audiences a
             JOIN promotions p ON p.id = a.promotion_id"
                .to_owned(),
        ))
        .await?
    {
        audiences
            .entry(row.get("promotion_id")?)
            .or_default()
            .push((row.get("audience")?, row.get("audience_id")?));
    }
    for standing in &mut standings {
        standing.audiences = audiences.remove(&standing.promotion.id).unwrap_or_default();
    }
    let mut entries = Vec::new();
    for row in db
        .fetch_all(&in_force(
            "SELECT pp.promotion_id, pp.product_id, pp.category_id FROM promotion_products pp
             JOIN promotions p ON p.id = pp.promotion_id"
                .to_owned(),
        ))
        .await?
    {
        let promotion_id: i64 = row.get("promotion_id")?;
        match (
            row.get::<Option<i64>>("product_id")?,
            row.get::<Option<i64>>("category_id")?,
        ) {
            (Some(product), _) => entries.push((promotion_id, Entry::Product(product))),
            (None, Some(category)) => entries.push((promotion_id, Entry::Category(category))),
            (None, None) => {}
        }
    }
    let mut parents = HashMap::new();
    for row in db
        .fetch_all(
            &Query::new("SELECT id, parent_id FROM categories WHERE tenant_id = $1 AND parent_id IS NOT NULL")
                .bind(tenant_id),
        )
        .await?
    {
        parents.insert(row.get::<i64>("id")?, row.get::<i64>("parent_id")?);
    }
    Ok(InForce::new(revision, date, standings, &entries, parents))
}
