//! Fulfilment commands: checked, one transaction each, audited.

use platform::audit::{self, Change};
use platform::{Actor, Clock, Db, Failure, Permission};
use serde_json::json;

use crate::domain::{StockChangeInput, WarehouseInput};
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
