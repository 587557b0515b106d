//! Pricing's SQL.

use chrono::{DateTime, Utc};
use platform::db::Value;
use platform::{DbError, Query, TenantId, Tx};

use platform::{Currency, Money};

use crate::domain::{Audience, PriceList, PriceRow, ValidPriceList, ValidPriceRow};
use crate::engine::Candidate;

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
/// the dealer's currency, in one query however many products are asked for.
pub async fn candidates(
    db: &platform::Db,
    tenant_id: TenantId,
    audience: &platform::DealerAudience,
    product_ids: &[i64],
    date: chrono::NaiveDate,
) -> Result<Vec<(i64, Candidate)>, DbError> {
    let mut found = Vec::new();
    for chunk in product_ids.chunks(500) {
        let mut query = Query::new(
            "SELECT r.product_id, r.min_quantity, r.unit_price_minor, r.valid_from, r.valid_to, l.id AS list_id, l.code, l.audience,
                    l.audience_id, l.currency
             FROM price_list_rows r JOIN price_lists l ON l.id = r.price_list_id
             WHERE l.tenant_id = $1 AND l.currency = $2 AND r.valid_from <= $3 AND (r.valid_to IS NULL OR r.valid_to >= $3)",
        )
        .bind(tenant_id)
        .bind(audience.currency.as_str())
        .bind(date);
        query
            .push(" AND r.product_id IN ")
            .push_bind_list(chunk.iter().copied());
        audience.restrict(&mut query, "l.audience", "l.audience_id", "base");
        for row in db.fetch_all(&query).await? {
            let audience_code: String = row.get("audience")?;
            let Some(kind) = Audience::parse(&audience_code) else {
                continue;
            };
            let currency: String = row.get("currency")?;
            let Ok(currency) = Currency::parse(&currency) else {
                continue;
            };
            let audience_id: Option<i64> = row.get("audience_id")?;
            found.push((
                row.get("product_id")?,
                Candidate {
                    price_list_id: row.get("list_id")?,
                    price_list_code: row.get("code")?,
                    audience: kind,
                    region_distance: audience_id
                        .and_then(|id| audience.region_distance(id))
                        .filter(|_| kind == Audience::Region),
                    min_quantity: row.get("min_quantity")?,
                    unit_price: Money::new(row.get("unit_price_minor")?, currency),
                    valid_from: row.get("valid_from")?,
                    valid_to: row.get("valid_to")?,
                },
            ));
        }
    }
    Ok(found)
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

pub async fn list_price_lists(
    db: &platform::Db,
    tenant_id: TenantId,
    page: platform::PageRequest,
) -> Result<platform::Page<PriceList>, DbError> {
    let total: i64 = db
        .fetch_one(&Query::new("SELECT COUNT(*) AS total FROM price_lists WHERE tenant_id = $1").bind(tenant_id))
        .await?
        .get("total")?;
    let items = db
        .fetch_all(
            &Query::new(format!(
                "{LIST_SELECT} WHERE l.tenant_id = $1 ORDER BY l.code LIMIT $2 OFFSET $3"
            ))
            .bind(tenant_id)
            .bind(page.limit())
            .bind(page.offset()),
        )
        .await?
        .iter()
        .map(read_list)
        .collect::<Result<_, _>>()?;
    Ok(platform::Page::new(items, total, page))
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

pub async fn list_rows(
    db: &platform::Db,
    tenant_id: TenantId,
    price_list_id: i64,
    page: platform::PageRequest,
) -> Result<platform::Page<PriceRow>, DbError> {
    let total: i64 = db
        .fetch_one(
            &Query::new("SELECT COUNT(*) AS total FROM price_list_rows WHERE tenant_id = $1 AND price_list_id = $2")
                .bind(tenant_id)
                .bind(price_list_id),
        )
        .await?
        .get("total")?;
    let rows = db
        .fetch_all(
            &Query::new(
                "SELECT r.id, r.product_id, p.sku, r.min_quantity, r.unit_price_minor, l.currency, r.valid_from, r.valid_to
                 FROM price_list_rows r JOIN products p ON p.id = r.product_id JOIN price_lists l ON l.id = r.price_list_id
                 WHERE r.tenant_id = $1 AND r.price_list_id = $2 ORDER BY p.sku, r.min_quantity, r.valid_from LIMIT $3 OFFSET $4",
            )
            .bind(tenant_id)
            .bind(price_list_id)
            .bind(page.limit())
            .bind(page.offset()),
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let currency = Currency::parse(&row.get::<String>("currency")?).map_err(|e| DbError::Config(e.to_string()))?;
        items.push(PriceRow {
            id: row.get("id")?,
            product_id: row.get("product_id")?,
            sku: row.get("sku")?,
            min_quantity: row.get("min_quantity")?,
            unit_price: Money::new(row.get("unit_price_minor")?, currency).to_decimal_string(),
            valid_from: row.get("valid_from")?,
            valid_to: row.get("valid_to")?,
        });
    }
    Ok(platform::Page::new(items, total, page))
}
