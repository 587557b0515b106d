//! Shipping a confirmed sales order. Ordering decides which lines may leave and moves the order
//! on to partially shipped or shipped; fulfilment checks and writes the shipment itself and takes
//! its goods out of stock, in the same transaction.

use fulfilment::shipments::{self, ShipmentHead, ShipmentInput};
use platform::{Actor, Clock, Db, Failure, Permission};

use crate::commands::{notify_dealer, order_in_scope, tenant_today, transition};
use crate::domain::OrderEvent;
use crate::store;

/// Ships part or all of what a sales order confirmed; returns the shipment's id.
pub async fn ship(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    sales_order_id: i64,
    input: &ShipmentInput,
) -> Result<i64, Failure> {
    actor.require(Permission::ShipOrders)?;
    let today = tenant_today(db, clock, actor).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let (order_id, warehouse_id) = store::sales_order_of(&mut tx, actor.tenant_id, &actor.scope, sales_order_id)
        .await?
        .ok_or(Failure::NotFound { entity: "sales_order" })?;
    let head = order_in_scope(&mut tx, actor, order_id).await?;
    head.state.apply(OrderEvent::ShipPartially)?;
    // A move from the state to itself takes the order's row, so that two shipments of one order,
    // or a shipment and a cancellation, happen one after the other.
    if !store::change_state(&mut tx, order_id, head.state, head.state, None, now).await? {
        return Err(Failure::Conflict {
            code: "order.changed_meanwhile",
        });
    }
    let shippable = store::shippable_lines(&mut tx, order_id, sales_order_id).await?;
    let checked = shipments::check(input, &shippable, today)?;
    let number = store::next_shipment_number(&mut tx, order_id).await?;
    let shipment = ShipmentHead {
        number: &number,
        order_id,
        sales_order_id,
        dealer_id: head.dealer_id.get(),
        warehouse_id,
    };
    let id = shipments::record(&mut tx, actor, &shipment, &checked, now).await?;
    let shipped: Vec<(i64, i64)> = checked.lines.iter().map(|l| (l.line_number, l.quantity)).collect();
    store::add_shipped(&mut tx, order_id, &shipped).await?;
    let in_full = store::fully_shipped(&mut tx, order_id).await?;
    let event = if in_full {
        OrderEvent::Ship
    } else {
        OrderEvent::ShipPartially
    };
    transition(&mut tx, actor, &head, event, None, now).await?;
    let document = store::NewEvent {
        kind: "shipment",
        from_state: None,
        to_state: None,
        note: Some(&number),
        user_id: actor.user_id,
        user_name: &actor.display_name,
    };
    store::insert_event(&mut tx, actor.tenant_id, order_id, &document, now).await?;
    // Each notice says which shipment it is about, so that two parts of one order read apart.
    let kind = if in_full {
        "message.order_shipped_in_full"
    } else {
        "message.order_partially_shipped"
    };
    let details = [
        ("shipment", number.clone()),
        ("lines", checked.lines.len().to_string()),
        ("packages", checked.packages.len().to_string()),
    ];
    notify_dealer(&mut tx, actor, &head, kind, &details, now).await?;
    tx.commit().await?;
    Ok(id)
}
