//! Fulfilment commands: checked, one transaction each, audited.

use std::collections::{BTreeSet, HashMap, HashSet};

use platform::audit::{self, Change};
use platform::{Actor, Clock, Db, Failure, FieldError, Permission};
use serde_json::json;

use crate::domain::{check_stock_rows, StockChangeInput, StockImportInput, StockImportMode, WarehouseInput};
use crate::stock::{self, Movement};
use crate::store;

pub async fn create_warehouse(db: &Db, clock: &Clock, actor: &Actor, input: &WarehouseInput) -> Result<i64, Failure> {
    actor.require(Permission::ManageStock)?;
    let warehouse = input.validate()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = store::insert_warehouse(&mut tx, actor.tenant_id, &warehouse, now)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                Failure::field("code", "warehouse.code_taken")
            } else {
                e.into()
            }
        })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "warehouse",
            entity_id: id,
            action: "create",
            before: None,
            after: Some(json!({ "code": warehouse.code, "sellable": warehouse.sellable })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A receipt, an adjustment or a stocktake of one product in one warehouse, in the ledger.
pub async fn change_stock(db: &Db, clock: &Clock, actor: &Actor, input: &StockChangeInput) -> Result<(), Failure> {
    actor.require(Permission::ManageStock)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !store::warehouse_exists(&mut tx, actor.tenant_id, input.warehouse_id).await? {
        return Err(Failure::field("warehouse_id", "field.not_found"));
    }
    if !store::product_exists(&mut tx, actor.tenant_id, input.product_id).await? {
        return Err(Failure::field("product_id", "field.not_found"));
    }
    stock::ensure_levels(&mut tx, actor.tenant_id, now, &[(input.warehouse_id, input.product_id)]).await?;
    let (on_hand, reserved) = store::level(&mut tx, input.warehouse_id, input.product_id)
        .await?
        .unwrap_or((0, 0));
    let delta = input.on_hand_delta(on_hand, reserved)?;
    let movement = Movement {
        warehouse_id: input.warehouse_id,
        product_id: input.product_id,
        kind: input.kind.code(),
        on_hand_delta: delta,
        reserved_delta: 0,
        order_id: None,
        note: input.note.clone().filter(|note| !note.trim().is_empty()),
    };
    if stock::apply(&mut tx, actor.tenant_id, actor.user_id, now, &[movement])
        .await?
        .is_err()
    {
        return Err(Failure::field("quantity", "stock.below_reserved"));
    }
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "stock",
            entity_id: input.product_id,
            action: input.kind.code(),
            before: Some(json!({ "warehouse_id": input.warehouse_id, "on_hand": on_hand })),
            after: Some(json!({ "warehouse_id": input.warehouse_id, "on_hand": on_hand + delta })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Which warehouse serves a delivery location by default; `None` leaves the choice to priority.
pub async fn assign_warehouse(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    location_id: i64,
    warehouse_id: Option<i64>,
) -> Result<(), Failure> {
    actor.require(Permission::ManageStock)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if let Some(warehouse_id) = warehouse_id {
        if !store::warehouse_exists(&mut tx, actor.tenant_id, warehouse_id).await? {
            return Err(Failure::field("warehouse_id", "field.not_found"));
        }
    }
    if store::set_location_warehouse(&mut tx, actor.tenant_id, location_id, warehouse_id).await? == 0 {
        return Err(Failure::NotFound {
            entity: "delivery_location",
        });
    }
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "delivery_location",
            entity_id: location_id,
            action: "assign_warehouse",
            before: None,
            after: Some(json!({ "warehouse_id": warehouse_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Loads stock levels from the manufacturer's ERP in one transaction: every row checked first,
/// then a stocktake (snapshot) or a receipt or adjustment (changes) per product and warehouse in
/// the ledger, and the safety stock and maximum where a row gives them. Returns the rows applied.
pub async fn import_stock(db: &Db, clock: &Clock, actor: &Actor, input: &StockImportInput) -> Result<u64, Failure> {
    actor.require(Permission::ManageStock)?;
    let warehouses: HashMap<String, i64> = store::list_warehouses(db, actor.tenant_id)
        .await?
        .into_iter()
        .map(|w| (w.code, w.id))
        .collect();
    let products = store::product_ids_by_sku(db, actor.tenant_id).await?;
    let rows = check_stock_rows(input, &warehouses, &products)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let pairs: Vec<(i64, i64)> = rows.iter().map(|r| (r.warehouse_id, r.product_id)).collect();
    stock::ensure_levels(&mut tx, actor.tenant_id, now, &pairs).await?;
    let named: Vec<i64> = rows
        .iter()
        .map(|r| r.warehouse_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let levels = store::levels_in(&mut tx, actor.tenant_id, &named).await?;
    let mut errors = Vec::new();
    let mut movements = Vec::new();
    let mut move_to = |warehouse_id: i64, product_id: i64, delta: i64| {
        if delta != 0 {
            let kind = match input.mode {
                StockImportMode::Snapshot => "stocktake",
                StockImportMode::Changes if delta > 0 => "receipt",
                StockImportMode::Changes => "adjustment",
            };
            movements.push(Movement {
                warehouse_id,
                product_id,
                kind,
                on_hand_delta: delta,
                reserved_delta: 0,
                order_id: None,
                note: Some("stock import".to_owned()),
            });
        }
    };
    for (index, row) in rows.iter().enumerate() {
        let (on_hand, reserved) = levels
            .get(&(row.warehouse_id, row.product_id))
            .copied()
            .unwrap_or((0, 0));
        let delta = match input.mode {
            StockImportMode::Snapshot => row.quantity - on_hand,
            StockImportMode::Changes => row.quantity,
        };
        if on_hand + delta < reserved {
            errors.push(
                FieldError::new(format!("rows[{index}].quantity"), "stock.below_reserved").with("reserved", reserved),
            );
        }
        move_to(row.warehouse_id, row.product_id, delta);
    }
    if input.mode == StockImportMode::Snapshot {
        // What a snapshot of a warehouse does not name, the warehouse does not hold.
        let listed: HashSet<(i64, i64)> = pairs.iter().copied().collect();
        let skus: HashMap<i64, &String> = products.iter().map(|(sku, id)| (*id, sku)).collect();
        let codes: HashMap<i64, &String> = warehouses.iter().map(|(code, id)| (*id, code)).collect();
        let mut unlisted: Vec<_> = levels
            .iter()
            .filter(|(pair, (on_hand, _))| *on_hand > 0 && !listed.contains(pair))
            .collect();
        unlisted.sort();
        for ((warehouse_id, product_id), (on_hand, reserved)) in unlisted {
            if *reserved > 0 {
                errors.push(
                    FieldError::new("rows", "stock.snapshot_leaves_reserved")
                        .with("warehouse", codes.get(warehouse_id).map_or("", |c| c.as_str()))
                        .with("sku", skus.get(product_id).map_or("", |s| s.as_str()))
                        .with("reserved", reserved),
                );
            }
            move_to(*warehouse_id, *product_id, -on_hand);
        }
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    for chunk in movements.chunks(500) {
        if stock::apply(&mut tx, actor.tenant_id, actor.user_id, now, chunk)
            .await?
            .is_err()
        {
            // An order reserved some of it between the check and the update.
            return Err(Failure::Conflict {
                code: "order.changed_meanwhile",
            });
        }
    }
    let limits: Vec<(i64, i64, Option<i64>, Option<i64>)> = rows
        .iter()
        .filter(|r| r.safety_stock.is_some() || r.max_stock.is_some())
        .map(|r| (r.warehouse_id, r.product_id, r.safety_stock, r.max_stock))
        .collect();
    store::set_limits(&mut tx, actor.tenant_id, &limits).await?;
    let mode = match input.mode {
        StockImportMode::Snapshot => "import_snapshot",
        StockImportMode::Changes => "import_changes",
    };
    let change = Change {
        entity: "stock",
        entity_id: 0,
        action: mode,
        before: None,
        after: Some(json!({ "rows": rows.len(), "movements": movements.len() })),
    };
    audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;
    Ok(rows.len() as u64)
}
