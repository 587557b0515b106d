//! Receiving a shipment and settling what differed. Fulfilment checks and writes the receipt;
//! ordering keeps the lines' received quantities — what the dealer accepted, never what it
//! rejected — and moves a fully shipped order to received once every shipment has arrived and
//! nothing of them is left to settle.

use chrono::{DateTime, Utc};
use fulfilment::receipts::{self, ReceiptHead, ReceiptInput};
use platform::audit::{self, Change};
use platform::{Actor, Clock, Db, Failure, Permission, Tx};
use serde_json::json;

use crate::commands::{order_in_scope, transition};
use crate::domain::{required_reason, OrderEvent, OrderState};
use crate::store::{self, OrderHead};

/// The dealer records what arrived of one of its shipments; returns the receipt's id.
pub async fn receive(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    shipment_id: i64,
    input: &ReceiptInput,
) -> Result<i64, Failure> {
    receipts::require_receiver(actor)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let (order_id, dealer_id, shipped) = receipts::shipment_lines(&mut tx, actor, shipment_id).await?;
    let head = order_in_scope(&mut tx, actor, order_id).await?;
    if !matches!(head.state, OrderState::PartiallyShipped | OrderState::Shipped) {
        return Err(Failure::Conflict {
            code: "receipt.already_received",
        });
    }
    // Takes the order's row, so that two receipts of one order end in the right state.
    if !store::change_state(&mut tx, order_id, head.state, head.state, None, now).await? {
        return Err(Failure::Conflict {
            code: "order.changed_meanwhile",
        });
    }
    let receipt = receipts::check(input, &shipped)?;
    let place = ReceiptHead {
        shipment_id,
        order_id,
        dealer_id,
    };
    let id = receipts::record(&mut tx, actor, &place, &receipt, now).await?;
    let taken_in: Vec<(i64, i64)> = receipt.lines.iter().map(|l| (l.line_number, l.accepted)).collect();
    store::add_received(&mut tx, order_id, &taken_in).await?;
    let note = if receipt.has_discrepancy() {
        "discrepancy"
    } else {
        "as shipped"
    };
    store::insert_event(
        &mut tx,
        actor.tenant_id,
        order_id,
        &document(actor, "receipt", note),
        now,
    )
    .await?;
    receive_when_complete(&mut tx, actor, &head, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Moves a shipped order to received once every shipment has arrived and no discrepancy of
/// its receipts is open: what was rejected or missing is still owed until the order desk
/// settles it.
async fn receive_when_complete(
    tx: &mut Tx,
    actor: &Actor,
    head: &OrderHead,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    if head.state == OrderState::Shipped && receipts::all_received_and_settled(tx, head.id).await? {
        transition(tx, actor, head, OrderEvent::Receive, None, now).await?;
    }
    Ok(())
}

fn document<'a>(actor: &'a Actor, kind: &'a str, note: &'a str) -> store::NewEvent<'a> {
    store::NewEvent {
        kind,
        from_state: None,
        to_state: None,
        note: Some(note),
        user_id: actor.user_id,
        user_name: &actor.display_name,
    }
}

/// The manufacturer settles a receipt's discrepancy with a note of how.
pub async fn settle_discrepancy(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    receipt_id: i64,
    note: Option<&str>,
) -> Result<(), Failure> {
    actor.require(Permission::ReviewOrders)?;
    let note = required_reason(note)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let order_id = receipts::settle(&mut tx, actor, receipt_id, &note, now).await?;
    let head = order_in_scope(&mut tx, actor, order_id).await?;
    // Takes the order's row, so that a settlement and the receipt of the last shipment, at the
    // same time, still end with the order received.
    if !store::change_state(&mut tx, order_id, head.state, head.state, None, now).await? {
        return Err(Failure::Conflict {
            code: "order.changed_meanwhile",
        });
    }
    store::insert_event(
        &mut tx,
        actor.tenant_id,
        order_id,
        &document(actor, "discrepancy_settled", &note),
        now,
    )
    .await?;
    receive_when_complete(&mut tx, actor, &head, now).await?;
    let change = Change {
        entity: "receipt",
        entity_id: receipt_id,
        action: "settle",
        before: Some(json!({ "discrepancy": "open" })),
        after: Some(json!({ "discrepancy": "settled", "note": note })),
    };
    audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;
    Ok(())
}
