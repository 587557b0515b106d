//! Fulfilment's SQL.

use chrono::{DateTime, Utc};
use platform::db::Value;
use platform::{DataScope, Db, DbError, Page, PageRequest, Query, Row, TenantId, Tx};

use crate::domain::{StockLevel, ValidWarehouse, Warehouse};
use crate::shipments::{CheckedShipment, Shipment, ShipmentHead, ShipmentLine};

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

// ---- Shipments ----

/// Whether any of these SSCCs names a package shipped before.
pub async fn sscc_used(tx: &mut Tx, tenant_id: TenantId, ssccs: &[String]) -> Result<bool, DbError> {
    if ssccs.is_empty() {
        return Ok(false);
    }
    let mut query = Query::new("SELECT sscc FROM shipment_packages WHERE tenant_id = $1 AND sscc IN ").bind(tenant_id);
    query.push_bind_list(ssccs.iter().map(String::as_str));
    Ok(tx.fetch_optional(&query).await?.is_some())
}

pub async fn insert_shipment(
    tx: &mut Tx,
    actor: &platform::Actor,
    head: &ShipmentHead<'_>,
    shipment: &CheckedShipment,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO shipments (tenant_id, number, order_id, sales_order_id, dealer_id, warehouse_id, vehicle,
                     planned_arrival_on, shipped_at, shipped_by, shipped_by_name)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(head.number)
            .bind(head.order_id)
            .bind(head.sales_order_id)
            .bind(head.dealer_id)
            .bind(head.warehouse_id)
            .bind(shipment.vehicle.as_str())
            .bind(shipment.planned_arrival_on)
            .bind(now)
            .bind(actor.user_id)
            .bind(actor.display_name.as_str()),
        )
        .await?
        .get("id")?;
    let tenant: Value = actor.tenant_id.into();
    let packages: Vec<Vec<Value>> = shipment
        .packages
        .iter()
        .map(|sscc| vec![tenant.clone(), id.into(), sscc.clone().into()])
        .collect();
    tx.insert_many(
        "INSERT INTO shipment_packages (tenant_id, shipment_id, sscc)",
        &packages,
    )
    .await?;
    let lines: Vec<Vec<Value>> = shipment
        .lines
        .iter()
        .map(|line| {
            vec![
                tenant.clone(),
                id.into(),
                line.line_number.into(),
                line.product_id.into(),
                line.quantity.into(),
                line.sscc.clone().into(),
                line.batch.clone().into(),
                line.expiry_on.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO shipment_lines (tenant_id, shipment_id, order_line_number, product_id, quantity, sscc, batch, expiry_on)",
        &lines,
    )
    .await?;
    Ok(id)
}

const SHIPMENT_SELECT: &str =
    "SELECT s.id, s.number, s.order_id, o.dealer_order_number, s.sales_order_id, s.dealer_id, \
     d.code AS dealer_code, w.code AS warehouse_code, s.vehicle, s.planned_arrival_on, s.shipped_at, s.shipped_by_name \
     FROM shipments s JOIN orders o ON o.id = s.order_id JOIN dealers d ON d.id = s.dealer_id \
     JOIN warehouses w ON w.id = s.warehouse_id";
const SHIPMENT_FROM: &str = "shipments s";

fn read_shipment(row: &Row) -> Result<Shipment, DbError> {
    Ok(Shipment {
        id: row.get("id")?,
        number: row.get("number")?,
        order_id: row.get("order_id")?,
        dealer_order_number: row.get("dealer_order_number")?,
        sales_order_id: row.get("sales_order_id")?,
        dealer_id: row.get("dealer_id")?,
        dealer_code: row.get("dealer_code")?,
        warehouse_code: row.get("warehouse_code")?,
        vehicle: row.get("vehicle")?,
        planned_arrival_on: row.get("planned_arrival_on")?,
        shipped_at: row.get("shipped_at")?,
        shipped_by_name: row.get("shipped_by_name")?,
        packages: Vec::new(),
        lines: Vec::new(),
    })
}

/// Shipments the scope may see, newest first, without their packages and lines.
pub async fn list_shipments(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    order_id: Option<i64>,
    page: PageRequest,
) -> Result<Page<Shipment>, DbError> {
    let mut condition = Query::new(" WHERE s.tenant_id = $1").bind(tenant_id);
    scope.restrict_dealer(&mut condition, "s.dealer_id");
    if let Some(order_id) = order_id {
        condition.push(" AND s.order_id = ").push_bind(order_id);
    }
    platform::db::fetch_page(
        db,
        SHIPMENT_FROM,
        SHIPMENT_SELECT,
        condition,
        "s.shipped_at DESC, s.id DESC",
        page,
        read_shipment,
    )
    .await
}

/// Shipments of the ids with their packages and lines: three queries however many there are.
pub async fn shipments_with_contents(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    ids: &[i64],
) -> Result<Vec<Shipment>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::new(SHIPMENT_SELECT);
    query.push(" WHERE s.tenant_id = ").push_bind(tenant_id);
    scope.restrict_dealer(&mut query, "s.dealer_id");
    query.push(" AND s.id IN ").push_bind_list(ids.iter().copied());
    query.push(" ORDER BY s.shipped_at DESC, s.id DESC");
    let mut shipments: Vec<Shipment> = db
        .fetch_all(&query)
        .await?
        .iter()
        .map(read_shipment)
        .collect::<Result<_, _>>()?;
    let found: Vec<i64> = shipments.iter().map(|s| s.id).collect();
    if found.is_empty() {
        return Ok(shipments);
    }
    let mut packages = Query::new("SELECT shipment_id, sscc FROM shipment_packages WHERE shipment_id IN ");
    packages.push_bind_list(found.iter().copied()).push(" ORDER BY sscc");
    for row in db.fetch_all(&packages).await? {
        let id: i64 = row.get("shipment_id")?;
        if let Some(shipment) = shipments.iter_mut().find(|s| s.id == id) {
            shipment.packages.push(row.get("sscc")?);
        }
    }
    let mut lines = Query::new(
        "SELECT l.shipment_id, l.order_line_number, l.product_id, p.sku, l.quantity, l.sscc, l.batch, l.expiry_on
         FROM shipment_lines l JOIN products p ON p.id = l.product_id WHERE l.shipment_id IN ",
    );
    lines
        .push_bind_list(found.iter().copied())
        .push(" ORDER BY l.order_line_number");
    for row in db.fetch_all(&lines).await? {
        let id: i64 = row.get("shipment_id")?;
        if let Some(shipment) = shipments.iter_mut().find(|s| s.id == id) {
            shipment.lines.push(ShipmentLine {
                order_line_number: row.get("order_line_number")?,
                product_id: row.get("product_id")?,
                sku: row.get("sku")?,
                quantity: row.get("quantity")?,
                sscc: row.get("sscc")?,
                batch: row.get("batch")?,
                expiry_on: row.get("expiry_on")?,
            });
        }
    }
    Ok(shipments)
}
