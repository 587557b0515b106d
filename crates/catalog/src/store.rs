//! The catalog's SQL.

use chrono::{DateTime, Utc};
use platform::db::Value;
use platform::{DbError, Query, TenantId, Tx};

use crate::domain::{CategoryInput, ProductStatus, ValidProduct};

pub async fn insert_category(
    tx: &mut Tx,
    tenant_id: TenantId,
    category: &CategoryInput,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO categories (tenant_id, code, name_en, name_ru, name_zh, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(tenant_id)
        .bind(category.code.trim())
        .bind(category.name_en.trim())
        .bind(category.name_ru.trim())
        .bind(category.name_zh.trim())
        .bind(now),
    )
    .await?
    .get("id")
}

/// The ids of the tenant's categories with these codes.
pub async fn category_ids(tx: &mut Tx, tenant_id: TenantId) -> Result<Vec<(String, i64)>, DbError> {
    tx.fetch_all(&Query::new("SELECT code, id FROM categories WHERE tenant_id = $1").bind(tenant_id))
        .await?
        .iter()
        .map(|row| Ok((row.get("code")?, row.get("id")?)))
        .collect()
}

pub async fn insert_products(
    tx: &mut Tx,
    tenant_id: TenantId,
    products: &[(ValidProduct, Option<i64>)],
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let rows: Vec<Vec<Value>> = products
        .iter()
        .map(|(product, category_id)| {
            vec![
                tenant_id.into(),
                product.sku.as_str().into(),
                product.gtin.as_str().into(),
                (*category_id).into(),
                product.name_en.as_str().into(),
                product.name_ru.as_str().into(),
                product.name_zh.as_str().into(),
                product.search_text().into(),
                product.unit.as_str().into(),
                product.pack_size.into(),
                ProductStatus::Active.code().into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO products (tenant_id, sku, gtin, category_id, name_en, name_ru, name_zh, search_text, unit, pack_size, status, created_at, updated_at)",
        &rows,
    )
    .await
}

/// Every product id of the tenant by SKU, for imports that refer to products by SKU.
pub async fn product_ids_by_sku(db: &platform::Db, tenant_id: TenantId) -> Result<Vec<(String, i64)>, DbError> {
    db.fetch_all(&Query::new("SELECT sku, id FROM products WHERE tenant_id = $1 ORDER BY id").bind(tenant_id))
        .await?
        .iter()
        .map(|row| Ok((row.get("sku")?, row.get("id")?)))
        .collect()
}
