//! Pricing's SQL.

use chrono::{DateTime, Utc};
use platform::db::Value;
use platform::{DbError, Query, TenantId, Tx};

use crate::domain::{ValidPriceList, ValidPriceRow};

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
