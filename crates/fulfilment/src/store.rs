//! Fulfilment's SQL.

use chrono::{DateTime, Utc};
use platform::{Db, DbError, Query, Row, TenantId, Tx};

use crate::domain::{StockLevel, ValidWarehouse, Warehouse};

pub async fn insert_warehouse(
    tx: &mut Tx,
    tenant_id: TenantId,
    warehouse: &ValidWarehouse,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO warehouses (tenant_id, code, name, gln, priority, sellable, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(tenant_id)
        .bind(warehouse.code.as_str())
        .bind(warehouse.name.as_str())
        .bind(warehouse.gln.clone())
        .bind(warehouse.priority)
        .bind(warehouse.sellable)
        .bind(now),
    )
    .await?
    .get("id")
}

fn read_warehouse(row: &Row) -> Result<Warehouse, DbError> {
    Ok(Warehouse {
        id: row.get("id")?,
        code: row.get("code")?,
        name: row.get("name")?,
        gln: row.get("gln")?,
        priority: row.get("priority")?,
        sellable: row.get("sellable")?,
    })
}

pub async fn list_warehouses(db: &Db, tenant_id: TenantId) -> Result<Vec<Warehouse>, DbError> {
    db.fetch_all(
        &Query::new(
            "SELECT id, code, name, gln, priority, sellable FROM warehouses WHERE tenant_id = $1 ORDER BY priority, code",
        )
        .bind(tenant_id),
    )
    .await?
    .iter()
    .map(read_warehouse)
    .collect()
}

pub async fn warehouse_exists(tx: &mut Tx, tenant_id: TenantId, id: i64) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new("SELECT id FROM warehouses WHERE tenant_id = $1 AND id = $2")
                .bind(tenant_id)
                .bind(id),
        )
        .await?
        .is_some())
}

pub async fn product_exists(tx: &mut Tx, tenant_id: TenantId, id: i64) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new("SELECT id FROM products WHERE tenant_id = $1 AND id = $2")
                .bind(tenant_id)
                .bind(id),
        )
        .await?
        .is_some())
}

/// On hand and reserved of one product in one warehouse, if a row exists.
pub async fn level(tx: &mut Tx, warehouse_id: i64, product_id: i64) -> Result<Option<(i64, i64)>, DbError> {
    tx.fetch_optional(
        &Query::new("SELECT on_hand, reserved FROM stock_levels WHERE warehouse_id = $1 AND product_id = $2")
            .bind(warehouse_id)
            .bind(product_id),
    )
    .await?
    .map(|row| Ok((row.get("on_hand")?, row.get("reserved")?)))
    .transpose()
}

pub async fn set_location_warehouse(
    tx: &mut Tx,
    tenant_id: TenantId,
    location_id: i64,
    warehouse_id: Option<i64>,
) -> Result<u64, DbError> {
    tx.execute(
        &Query::new("UPDATE delivery_locations SET warehouse_id = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(warehouse_id)
            .bind(tenant_id)
            .bind(location_id),
    )
    .await
}

/// A page of stock levels, by warehouse and SKU, optionally of one warehouse or matching a SKU.
pub async fn list_levels(
    db: &Db,
    tenant_id: TenantId,
    warehouse_id: Option<i64>,
    sku: Option<&str>,
    page: platform::PageRequest,
) -> Result<platform::Page<StockLevel>, DbError> {
    let mut condition = Query::new(" WHERE s.tenant_id = $1").bind(tenant_id);
    if let Some(warehouse_id) = warehouse_id {
        condition.push(" AND s.warehouse_id = ").push_bind(warehouse_id);
    }
    if let Some(sku) = sku.map(str::trim).filter(|s| !s.is_empty()) {
        condition.push(" AND p.sku LIKE ").push_bind(format!("{sku}%"));
    }
    const FROM: &str =
        "stock_levels s JOIN warehouses w ON w.id = s.warehouse_id JOIN products p ON p.id = s.product_id";
    platform::db::fetch_page(
        db,
        FROM,
        &format!(
            "SELECT s.warehouse_id, w.code AS warehouse_code, s.product_id, p.sku, s.on_hand, s.reserved, \
             s.safety_stock, s.max_stock FROM {FROM}"
        ),
        condition,
        "w.code, p.sku",
        page,
        |row| {
            let on_hand: i64 = row.get("on_hand")?;
            let reserved: i64 = row.get("reserved")?;
            Ok(StockLevel {
                warehouse_id: row.get("warehouse_id")?,
                warehouse_code: row.get("warehouse_code")?,
                product_id: row.get("product_id")?,
                sku: row.get("sku")?,
                on_hand,
                reserved,
                available: on_hand - reserved,
                safety_stock: row.get("safety_stock")?,
                max_stock: row.get("max_stock")?,
            })
        },
    )
    .await
}
