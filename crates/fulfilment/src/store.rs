//! Fulfilment's SQL.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use platform::db::Value;
use platform::{DataScope, Db, DbError, Page, PageRequest, Query, Row, TenantId, Tx};

use crate::domain::{StockLevel, ValidWarehouse, Warehouse};
use crate::receipts::{CheckedReceipt, Receipt, ReceiptHead, ReceiptLine, ShippedLine};
use crate::returns::{CheckedReturnLine, Return, ReturnLine, Returnable};
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

/// The stock list's sortable columns; by warehouse and SKU by default.
pub const STOCK_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("warehouse", "w.code"),
        platform::SortColumn::new("sku", "p.sku"),
        platform::SortColumn::new("on_hand", "s.on_hand"),
        platform::SortColumn::new("reserved", "s.reserved"),
        platform::SortColumn::new("available", "s.on_hand - s.reserved"),
        platform::SortColumn::nullable("safety_stock", "s.safety_stock"),
        platform::SortColumn::nullable("max_stock", "s.max_stock"),
    ],
    default: "warehouse",
    tiebreaker: "p.sku",
};

/// A page of stock levels, by warehouse and SKU unless `sort` says otherwise, optionally of
/// one warehouse, matching a SKU, or only those outside their safety stock or maximum (alerts).
pub async fn list_levels(
    db: &Db,
    tenant_id: TenantId,
    warehouse_id: Option<i64>,
    sku: Option<&str>,
    alerts_only: bool,
    sort: platform::Sort,
    page: platform::PageRequest,
) -> Result<platform::Page<StockLevel>, DbError> {
    let mut condition = Query::new(" WHERE s.tenant_id = $1").bind(tenant_id);
    if alerts_only {
        // Written as the partial index's own condition, so that the index answers it.
        condition.push(
            " AND (s.safety_stock IS NOT NULL OR s.max_stock IS NOT NULL) \
             AND (s.on_hand - s.reserved < COALESCE(s.safety_stock, 0) OR s.on_hand > COALESCE(s.max_stock, s.on_hand))",
        );
    }
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
        // A SKU is unique within a warehouse: the warehouse ends the tiebreak, in the same
        // direction, so that descending is exactly ascending reversed.
        &format!(
            "{}, s.warehouse_id {}",
            STOCK_SORT.order_by(sort),
            if STOCK_SORT.effective(sort).descending {
                "DESC"
            } else {
                "ASC"
            }
        ),
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

/// What the shipment list shows: of one order, or those whose number or order number
/// contains a text; in the order asked for.
#[derive(Debug, Clone, Default)]
pub struct ShipmentFilter {
    pub order_id: Option<i64>,
    pub search: Option<String>,
    /// Parsed with [`SHIPMENT_SORT`].
    pub sort: platform::Sort,
}

/// The shipment list's sortable columns; newest first by default.
pub const SHIPMENT_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("number", "s.number"),
        platform::SortColumn::new("order", "o.dealer_order_number"),
        platform::SortColumn::new("dealer", "d.code"),
        platform::SortColumn::new("shipped_at", "s.shipped_at"),
        platform::SortColumn::new("warehouse", "w.code"),
        platform::SortColumn::nullable("planned_arrival", "s.planned_arrival_on"),
    ],
    default: "-shipped_at",
    tiebreaker: "s.id",
};

/// Shipments the scope may see, newest first unless sorted otherwise, without their packages
/// and lines.
pub async fn list_shipments(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    filter: &ShipmentFilter,
    page: PageRequest,
) -> Result<Page<Shipment>, DbError> {
    let mut condition = Query::new(" WHERE s.tenant_id = $1").bind(tenant_id);
    scope.restrict_dealer(&mut condition, "s.dealer_id");
    if let Some(order_id) = filter.order_id {
        condition.push(" AND s.order_id = ").push_bind(order_id);
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // Upper case on both sides: PostgreSQL's LIKE minds letter case, SQLite's does not.
        let search = search.to_uppercase();
        let pattern = format!(
            "%{}%",
            search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        condition
            .push(" AND (UPPER(s.number) LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR s.order_id IN (SELECT o2.id FROM orders o2 WHERE o2.tenant_id = s.tenant_id AND UPPER(o2.dealer_order_number) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\'))");
    }
    platform::db::fetch_page(
        db,
        SHIPMENT_FROM,
        SHIPMENT_SELECT,
        condition,
        &SHIPMENT_SORT.order_by(filter.sort),
        page,
        read_shipment,
    )
    .await
}

/// Shipments the scope may see that no receipt has answered yet, newest first, at most `limit`,
/// without their packages and lines, and how many there are in all.
pub async fn shipments_on_the_way(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    limit: u32,
) -> Result<Page<Shipment>, DbError> {
    let mut condition =
        Query::new(" WHERE s.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.shipment_id = s.id)")
            .bind(tenant_id);
    scope.restrict_dealer(&mut condition, "s.dealer_id");
    platform::db::fetch_first(
        db,
        SHIPMENT_SELECT,
        condition,
        "s.shipped_at DESC, s.id DESC",
        limit,
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

// ---- Receipts ----

/// The shipment's order and dealer and what each line shipped, if the scope may see it.
pub async fn shipment_for_receipt(
    tx: &mut Tx,
    tenant_id: TenantId,
    scope: &DataScope,
    shipment_id: i64,
) -> Result<Option<(i64, i64, Vec<ShippedLine>)>, DbError> {
    let mut query = Query::new("SELECT s.order_id, s.dealer_id FROM shipments s WHERE s.tenant_id = $1 AND s.id = $2")
        .bind(tenant_id)
        .bind(shipment_id);
    scope.restrict_dealer(&mut query, "s.dealer_id");
    let Some(row) = tx.fetch_optional(&query).await? else {
        return Ok(None);
    };
    let lines = tx
        .fetch_all(
            &Query::new(
                "SELECT order_line_number, product_id, quantity FROM shipment_lines WHERE shipment_id = $1
                 ORDER BY order_line_number",
            )
            .bind(shipment_id),
        )
        .await?
        .iter()
        .map(|row| {
            Ok(ShippedLine {
                line_number: row.get("order_line_number")?,
                product_id: row.get("product_id")?,
                quantity: row.get("quantity")?,
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok(Some((row.get("order_id")?, row.get("dealer_id")?, lines)))
}

pub async fn insert_receipt(
    tx: &mut Tx,
    actor: &platform::Actor,
    head: &ReceiptHead,
    receipt: &CheckedReceipt,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let discrepancy = if receipt.has_discrepancy() { "open" } else { "none" };
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO receipts (tenant_id, shipment_id, order_id, dealer_id, note, received_at, received_by,
                     received_by_name, discrepancy)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(head.shipment_id)
            .bind(head.order_id)
            .bind(head.dealer_id)
            .bind(receipt.note.as_str())
            .bind(now)
            .bind(actor.user_id)
            .bind(actor.display_name.as_str())
            .bind(discrepancy),
        )
        .await?
        .get("id")?;
    let tenant: Value = actor.tenant_id.into();
    let rows: Vec<Vec<Value>> = receipt
        .lines
        .iter()
        .map(|line| {
            vec![
                tenant.clone(),
                id.into(),
                line.line_number.into(),
                line.product_id.into(),
                line.shipped.into(),
                line.received.into(),
                line.accepted.into(),
                line.rejected.into(),
                line.reason.map(str::to_owned).into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO receipt_lines (tenant_id, receipt_id, order_line_number, product_id, shipped_quantity,
             received_quantity, accepted_quantity, rejected_quantity, reason)",
        &rows,
    )
    .await?;
    Ok(id)
}

/// Whether every shipment of the order has been received and none of its receipts has an open
/// discrepancy.
pub async fn all_shipments_received_and_settled(tx: &mut Tx, order_id: i64) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new(
                "SELECT s.id FROM shipments s WHERE s.order_id = $1
                 AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.shipment_id = s.id)
                 UNION ALL
                 SELECT s.id FROM shipments s JOIN receipts r ON r.shipment_id = s.id
                 WHERE s.order_id = $1 AND r.discrepancy = 'open'",
            )
            .bind(order_id),
        )
        .await?
        .is_none())
}

/// Settles an open discrepancy: `None` if the scope cannot see the receipt, else its order and
/// whether there was an open discrepancy to settle.
pub async fn settle_discrepancy(
    tx: &mut Tx,
    actor: &platform::Actor,
    receipt_id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i64, bool)>, DbError> {
    let mut query = Query::new("SELECT order_id FROM receipts WHERE tenant_id = $1 AND id = $2")
        .bind(actor.tenant_id)
        .bind(receipt_id);
    actor.scope.restrict_dealer(&mut query, "dealer_id");
    let Some(row) = tx.fetch_optional(&query).await? else {
        return Ok(None);
    };
    let settled = tx
        .execute(
            &Query::new(
                "UPDATE receipts SET discrepancy = 'settled', settled_at = $1, settled_by_name = $2, settlement_note = $3
                 WHERE id = $4 AND discrepancy = 'open'",
            )
            .bind(now)
            .bind(actor.display_name.as_str())
            .bind(note)
            .bind(receipt_id),
        )
        .await?;
    Ok(Some((row.get("order_id")?, settled == 1)))
}

const RECEIPT_SELECT: &str = "SELECT r.id, r.shipment_id, s.number AS shipment_number, r.order_id, o.dealer_order_number, \
     d.code AS dealer_code, r.note, r.received_at, r.received_by_name, r.discrepancy, r.settled_by_name, r.settlement_note \
     FROM receipts r JOIN shipments s ON s.id = r.shipment_id JOIN orders o ON o.id = r.order_id \
     JOIN dealers d ON d.id = r.dealer_id";

/// What a receipt list shows: of one order, and by the state of its discrepancy (`none`,
/// `open` or `settled`, or `any` for every receipt with one); in the order asked for.
#[derive(Debug, Clone, Default)]
pub struct ReceiptFilter {
    pub order_id: Option<i64>,
    pub discrepancy: Option<String>,
    /// Parsed with [`RECEIPT_SORT`].
    pub sort: platform::Sort,
}

/// The receipt list's sortable columns; newest first by default.
pub const RECEIPT_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("shipment", "s.number"),
        platform::SortColumn::new("order", "o.dealer_order_number"),
        platform::SortColumn::new("dealer", "d.code"),
        platform::SortColumn::new("received_at", "r.received_at"),
        platform::SortColumn::new("discrepancy", "r.discrepancy"),
    ],
    default: "-received_at",
    tiebreaker: "r.id",
};

/// Receipts the scope may see under `filter`, newest first unless sorted otherwise, with their
/// lines.
pub async fn list_receipts(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    filter: &ReceiptFilter,
    page: PageRequest,
) -> Result<Page<Receipt>, DbError> {
    let mut condition = Query::new(" WHERE r.tenant_id = $1").bind(tenant_id);
    scope.restrict_dealer(&mut condition, "r.dealer_id");
    if let Some(order_id) = filter.order_id {
        condition.push(" AND r.order_id = ").push_bind(order_id);
    }
    match filter.discrepancy.as_deref() {
        None => {}
        Some("any") => {
            condition.push(" AND r.discrepancy <> 'none'");
        }
        Some(state) => {
            condition.push(" AND r.discrepancy = ").push_bind(state.to_owned());
        }
    }
    let mut found = platform::db::fetch_page(
        db,
        "receipts r",
        RECEIPT_SELECT,
        condition,
        &RECEIPT_SORT.order_by(filter.sort),
        page,
        |row| {
            Ok(Receipt {
                id: row.get("id")?,
                shipment_id: row.get("shipment_id")?,
                shipment_number: row.get("shipment_number")?,
                order_id: row.get("order_id")?,
                dealer_order_number: row.get("dealer_order_number")?,
                dealer_code: row.get("dealer_code")?,
                note: row.get("note")?,
                received_at: row.get("received_at")?,
                received_by_name: row.get("received_by_name")?,
                discrepancy: row.get("discrepancy")?,
                settled_by_name: row.get("settled_by_name")?,
                settlement_note: row.get("settlement_note")?,
                lines: Vec::new(),
            })
        },
    )
    .await?;
    let ids: Vec<i64> = found.items.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(found);
    }
    let mut lines = Query::new(
        "SELECT l.receipt_id, l.order_line_number, p.sku, l.shipped_quantity, l.received_quantity, l.accepted_quantity,
                l.rejected_quantity, l.reason
         FROM receipt_lines l JOIN products p ON p.id = l.product_id WHERE l.receipt_id IN ",
    );
    lines
        .push_bind_list(ids.iter().copied())
        .push(" ORDER BY l.order_line_number");
    for row in db.fetch_all(&lines).await? {
        let id: i64 = row.get("receipt_id")?;
        if let Some(receipt) = found.items.iter_mut().find(|r| r.id == id) {
            receipt.lines.push(ReceiptLine {
                order_line_number: row.get("order_line_number")?,
                sku: row.get("sku")?,
                shipped_quantity: row.get("shipped_quantity")?,
                received_quantity: row.get("received_quantity")?,
                accepted_quantity: row.get("accepted_quantity")?,
                rejected_quantity: row.get("rejected_quantity")?,
                reason: row.get("reason")?,
            });
        }
    }
    Ok(found)
}

// ---- Stock imports and alerts ----

/// Every product id of the tenant by SKU.
pub async fn product_ids_by_sku(db: &Db, tenant_id: TenantId) -> Result<HashMap<String, i64>, DbError> {
    db.fetch_all(&Query::new("SELECT sku, id FROM products WHERE tenant_id = $1").bind(tenant_id))
        .await?
        .iter()
        .map(|row| Ok((row.get("sku")?, row.get("id")?)))
        .collect()
}

/// On hand and reserved of every product in these warehouses.
pub async fn levels_in(
    tx: &mut Tx,
    tenant_id: TenantId,
    warehouse_ids: &[i64],
) -> Result<HashMap<(i64, i64), (i64, i64)>, DbError> {
    let mut query =
        Query::new("SELECT warehouse_id, product_id, on_hand, reserved FROM stock_levels WHERE tenant_id = $1 AND warehouse_id IN ")
            .bind(tenant_id);
    query.push_bind_list(warehouse_ids.iter().copied());
    tx.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok((
                (row.get("warehouse_id")?, row.get("product_id")?),
                (row.get("on_hand")?, row.get("reserved")?),
            ))
        })
        .collect()
}

/// Sets the safety stock and maximum of (warehouse, product, safety, maximum) rows; a limit left
/// out stays as it was.
pub async fn set_limits(
    tx: &mut Tx,
    tenant_id: TenantId,
    limits: &[(i64, i64, Option<i64>, Option<i64>)],
) -> Result<(), DbError> {
    // Four values a row: a few hundred rows a statement keeps SQLite's binding fast.
    for chunk in limits.chunks(400) {
        let mut update = Query::new(
            "UPDATE stock_levels SET safety_stock = COALESCE(v.safety, stock_levels.safety_stock),
                 max_stock = COALESCE(v.maximum, stock_levels.max_stock)
             FROM (SELECT column1 AS warehouse_id, column2 AS product_id, column3 AS safety, column4 AS maximum FROM (VALUES ",
        );
        for (index, (warehouse, product, safety, maximum)) in chunk.iter().enumerate() {
            if index > 0 {
                update.push(", ");
            }
            update
                .push("(")
                .push_bind(*warehouse)
                .push(", ")
                .push_bind(*product)
                .push(", ")
                .push_bind(*safety)
                .push(", ")
                .push_bind(*maximum)
                .push(")");
        }
        update
            .push(") AS limits) AS v WHERE stock_levels.warehouse_id = v.warehouse_id AND stock_levels.product_id = v.product_id AND stock_levels.tenant_id = ")
            .push_bind(tenant_id);
        tx.execute(&update).await?;
    }
    Ok(())
}

// ---- Returns ----

/// Takes the shipment's row for the transaction: a no-change update, which PostgreSQL locks.
pub async fn hold_shipment(tx: &mut Tx, shipment_id: i64) -> Result<(), DbError> {
    tx.execute(&Query::new("UPDATE shipments SET vehicle = vehicle WHERE id = $1").bind(shipment_id))
        .await?;
    Ok(())
}

/// Per line of the shipment, what the dealer received less what returns not rejected asked for.
pub async fn returnable(tx: &mut Tx, shipment_id: i64) -> Result<Vec<Returnable>, DbError> {
    tx.fetch_all(
        &Query::new(
            "SELECT l.order_line_number, l.product_id,
                    CAST(l.received_quantity - COALESCE((SELECT SUM(rl.quantity) FROM return_lines rl
                        JOIN returns rt ON rt.id = rl.return_id
                        WHERE rt.shipment_id = r.shipment_id AND rt.state <> 'rejected'
                          AND rl.order_line_number = l.order_line_number), 0) AS BIGINT) AS left_quantity
             FROM receipt_lines l JOIN receipts r ON r.id = l.receipt_id
             WHERE r.shipment_id = $1 ORDER BY l.order_line_number",
        )
        .bind(shipment_id),
    )
    .await?
    .iter()
    .map(|row| {
        Ok(Returnable {
            line_number: row.get("order_line_number")?,
            product_id: row.get("product_id")?,
            left: row.get::<i64>("left_quantity")?,
        })
    })
    .collect()
}

pub struct NewReturn<'a> {
    pub shipment_id: i64,
    pub order_id: i64,
    pub dealer_id: i64,
    pub note: &'a str,
}

pub async fn insert_return(
    tx: &mut Tx,
    actor: &platform::Actor,
    head: &NewReturn<'_>,
    lines: &[CheckedReturnLine],
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO returns (tenant_id, shipment_id, order_id, dealer_id, state, note, requested_at, requested_by,
                     requested_by_name)
                 VALUES ($1, $2, $3, $4, 'requested', $5, $6, $7, $8) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(head.shipment_id)
            .bind(head.order_id)
            .bind(head.dealer_id)
            .bind(head.note)
            .bind(now)
            .bind(actor.user_id)
            .bind(actor.display_name.as_str()),
        )
        .await?
        .get("id")?;
    let tenant: Value = actor.tenant_id.into();
    let rows: Vec<Vec<Value>> = lines
        .iter()
        .map(|line| {
            vec![
                tenant.clone(),
                id.into(),
                line.line_number.into(),
                line.product_id.into(),
                line.quantity.into(),
                line.reason.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO return_lines (tenant_id, return_id, order_line_number, product_id, quantity, reason)",
        &rows,
    )
    .await?;
    Ok(id)
}

/// The return's state and the warehouse its shipment left from, if the scope may see it.
pub async fn return_state(
    tx: &mut Tx,
    tenant_id: TenantId,
    scope: &DataScope,
    id: i64,
) -> Result<Option<(String, i64)>, DbError> {
    let mut query = Query::new(
        "SELECT r.state, s.warehouse_id FROM returns r JOIN shipments s ON s.id = r.shipment_id
         WHERE r.tenant_id = $1 AND r.id = $2",
    )
    .bind(tenant_id)
    .bind(id);
    scope.restrict_dealer(&mut query, "r.dealer_id");
    tx.fetch_optional(&query)
        .await?
        .map(|row| Ok((row.get("state")?, row.get("warehouse_id")?)))
        .transpose()
}

/// Approves or rejects a requested return; `false` if it was no longer requested.
pub async fn decide_return(
    tx: &mut Tx,
    id: i64,
    state: &str,
    notice_number: Option<&str>,
    decided_by: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let changed = tx
        .execute(
            &Query::new(
                "UPDATE returns SET state = $1, notice_number = $2, decided_by_name = $3, decision_reason = $4, decided_at = $5
                 WHERE id = $6 AND state = 'requested'",
            )
            .bind(state)
            .bind(notice_number)
            .bind(decided_by)
            .bind(reason)
            .bind(now)
            .bind(id),
        )
        .await?;
    Ok(changed == 1)
}

/// (line, product, quantity) of each line of the return.
pub async fn return_lines(tx: &mut Tx, id: i64) -> Result<Vec<(i64, i64, i64)>, DbError> {
    tx.fetch_all(
        &Query::new("SELECT order_line_number, product_id, quantity FROM return_lines WHERE return_id = $1").bind(id),
    )
    .await?
    .iter()
    .map(|row| {
        Ok((
            row.get("order_line_number")?,
            row.get("product_id")?,
            row.get("quantity")?,
        ))
    })
    .collect()
}

/// The tenant's first warehouse that is not sellable, where defective goods go.
pub async fn unsellable_warehouse(tx: &mut Tx, tenant_id: TenantId) -> Result<Option<i64>, DbError> {
    tx.fetch_optional(
        &Query::new("SELECT id FROM warehouses WHERE tenant_id = $1 AND sellable = FALSE ORDER BY priority, id")
            .bind(tenant_id),
    )
    .await?
    .map(|row| row.get("id"))
    .transpose()
}

/// Records how each line arrived, (line, product, good, defective), and closes the return.
pub async fn set_arrival(
    tx: &mut Tx,
    id: i64,
    lines: &[(i64, i64, i64, i64)],
    arrived_by: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    for (line_number, _, good, defective) in lines {
        tx.execute(
            &Query::new(
                "UPDATE return_lines SET good_quantity = $1, defective_quantity = $2 WHERE return_id = $3 AND order_line_number = $4",
            )
            .bind(*good)
            .bind(*defective)
            .bind(id)
            .bind(*line_number),
        )
        .await?;
    }
    tx.execute(
        &Query::new("UPDATE returns SET state = 'received', arrived_at = $1, arrived_by_name = $2 WHERE id = $3")
            .bind(now)
            .bind(arrived_by)
            .bind(id),
    )
    .await?;
    Ok(())
}

const RETURN_SELECT: &str =
    "SELECT r.id, r.shipment_id, s.number AS shipment_number, r.order_id, o.dealer_order_number, d.code AS dealer_code, \
     r.state, r.note, r.requested_at, r.requested_by_name, r.notice_number, r.decided_by_name, r.decision_reason, \
     r.arrived_at \
     FROM returns r JOIN shipments s ON s.id = r.shipment_id JOIN orders o ON o.id = r.order_id \
     JOIN dealers d ON d.id = r.dealer_id";

fn read_return(row: &Row) -> Result<Return, DbError> {
    Ok(Return {
        id: row.get("id")?,
        shipment_id: row.get("shipment_id")?,
        shipment_number: row.get("shipment_number")?,
        order_id: row.get("order_id")?,
        dealer_order_number: row.get("dealer_order_number")?,
        dealer_code: row.get("dealer_code")?,
        state: row.get("state")?,
        note: row.get("note")?,
        requested_at: row.get("requested_at")?,
        requested_by_name: row.get("requested_by_name")?,
        notice_number: row.get("notice_number")?,
        decided_by_name: row.get("decided_by_name")?,
        decision_reason: row.get("decision_reason")?,
        arrived_at: row.get("arrived_at")?,
        lines: Vec::new(),
        photo_ids: Vec::new(),
    })
}

/// Returns of the scope still under way (awaiting a decision, or approved and not yet back),
/// newest first, at most `limit`, without their lines, and how many there are in all.
pub async fn open_returns(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    limit: u32,
) -> Result<Page<Return>, DbError> {
    let mut condition = Query::new(" WHERE r.tenant_id = $1 AND r.state IN ('requested', 'approved')").bind(tenant_id);
    scope.restrict_dealer(&mut condition, "r.dealer_id");
    platform::db::fetch_first(
        db,
        RETURN_SELECT,
        condition,
        "r.requested_at DESC, r.id DESC",
        limit,
        read_return,
    )
    .await
}

/// The return list's sortable columns; newest first by default.
pub const RETURN_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::nullable("notice", "r.notice_number"),
        platform::SortColumn::new("order", "o.dealer_order_number"),
        platform::SortColumn::new("dealer", "d.code"),
        platform::SortColumn::new("shipment", "s.number"),
        platform::SortColumn::new("requested_at", "r.requested_at"),
        platform::SortColumn::new("state", "r.state"),
    ],
    default: "-requested_at",
    tiebreaker: "r.id",
};

/// Returns the scope may see, newest first unless sorted otherwise, with their lines.
pub async fn list_returns(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    order_id: Option<i64>,
    state: Option<&str>,
    sort: platform::Sort,
    page: PageRequest,
) -> Result<Page<Return>, DbError> {
    let mut condition = Query::new(" WHERE r.tenant_id = $1").bind(tenant_id);
    scope.restrict_dealer(&mut condition, "r.dealer_id");
    if let Some(order_id) = order_id {
        condition.push(" AND r.order_id = ").push_bind(order_id);
    }
    if let Some(state) = state.filter(|s| !s.is_empty()) {
        condition.push(" AND r.state = ").push_bind(state.to_owned());
    }
    let mut found = platform::db::fetch_page(
        db,
        "returns r",
        RETURN_SELECT,
        condition,
        &RETURN_SORT.order_by(sort),
        page,
        read_return,
    )
    .await?;
    let ids: Vec<i64> = found.items.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(found);
    }
    let mut lines = Query::new(
        "SELECT l.return_id, l.order_line_number, p.sku, l.quantity, l.reason, l.good_quantity, l.defective_quantity
         FROM return_lines l JOIN products p ON p.id = l.product_id WHERE l.return_id IN ",
    );
    lines
        .push_bind_list(ids.iter().copied())
        .push(" ORDER BY l.order_line_number");
    for row in db.fetch_all(&lines).await? {
        let id: i64 = row.get("return_id")?;
        if let Some(found) = found.items.iter_mut().find(|r| r.id == id) {
            found.lines.push(ReturnLine {
                order_line_number: row.get("order_line_number")?,
                sku: row.get("sku")?,
                quantity: row.get("quantity")?,
                reason: row.get("reason")?,
                good_quantity: row.get("good_quantity")?,
                defective_quantity: row.get("defective_quantity")?,
            });
        }
    }
    let mut photos = Query::new("SELECT return_id, id FROM return_photos WHERE return_id IN ");
    photos.push_bind_list(ids.iter().copied()).push(" ORDER BY id");
    for row in db.fetch_all(&photos).await? {
        let id: i64 = row.get("return_id")?;
        if let Some(found) = found.items.iter_mut().find(|r| r.id == id) {
            found.photo_ids.push(row.get("id")?);
        }
    }
    Ok(found)
}

pub async fn photo_count(tx: &mut Tx, return_id: i64) -> Result<i64, DbError> {
    tx.fetch_one(&Query::new("SELECT COUNT(*) AS n FROM return_photos WHERE return_id = $1").bind(return_id))
        .await?
        .get("n")
}

pub async fn insert_photo(
    tx: &mut Tx,
    tenant_id: TenantId,
    return_id: i64,
    content_type: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO return_photos (tenant_id, return_id, content_type, content, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(tenant_id)
        .bind(return_id)
        .bind(content_type)
        .bind(bytes)
        .bind(now),
    )
    .await?
    .get("id")
}

/// A photo's media type and bytes, if the scope may see its return.
pub async fn return_photo(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    return_id: i64,
    photo_id: i64,
) -> Result<Option<(String, Vec<u8>)>, DbError> {
    let mut query = Query::new(
        "SELECT p.content_type, p.content FROM return_photos p JOIN returns r ON r.id = p.return_id
         WHERE p.tenant_id = $1 AND p.return_id = $2 AND p.id = $3",
    )
    .bind(tenant_id)
    .bind(return_id)
    .bind(photo_id);
    scope.restrict_dealer(&mut query, "r.dealer_id");
    db.fetch_optional(&query)
        .await?
        .map(|row| Ok((row.get("content_type")?, row.get("content")?)))
        .transpose()
}
