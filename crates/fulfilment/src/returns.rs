//! Returns: a dealer sends goods back against one of its shipments.
//!
//! A return asks for no more of a line than the dealer received of it less what earlier returns
//! (not rejected) already asked for. The manufacturer approves it, which gives it a return notice
//! number, or rejects it with a reason. When the goods arrive the warehouse says how many of each
//! line are good, which go back to the warehouse that shipped them, and how many defective, which
//! go to a warehouse that is not sellable and so never counts as available. Crediting the dealer
//! belongs to finance.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use platform::audit::{self, Change};
use platform::failure::Checks;
use platform::{Actor, Clock, Db, Failure, FieldError, Page, PageRequest, Permission};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::stock::{self, Movement};
use crate::store;

pub const REASONS: [&str; 5] = ["damaged", "wrong_product", "surplus", "expired", "other"];

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    #[serde(default)]
    pub note: Option<String>,
    pub lines: Vec<ReturnLineInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineInput {
    /// The order line, as the shipment names it.
    pub line_number: i64,
    pub quantity: i64,
    /// `damaged`, `wrong_product`, `surplus`, `expired` or `other`.
    pub reason: String,
}

/// What the dealer may still return of one shipment line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Returnable {
    pub line_number: i64,
    pub product_id: i64,
    /// Received less what earlier returns asked for.
    pub left: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReturnLine {
    pub line_number: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub reason: &'static str,
}

/// Checks a return against what the dealer may still return of the shipment.
pub fn check(input: &ReturnInput, returnable: &[Returnable]) -> Result<(String, Vec<CheckedReturnLine>), Failure> {
    let mut checks = Checks::new();
    let note = checks
        .optional_text("note", input.note.as_deref(), 1_000)
        .unwrap_or_default();
    if input.lines.is_empty() {
        checks.add(FieldError::new("lines", "order.no_lines"));
    }
    let mut lines = Vec::with_capacity(input.lines.len());
    for (index, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{index}].{name}");
        let reason = REASONS.iter().copied().find(|r| *r == line.reason.trim());
        if reason.is_none() {
            checks.add(FieldError::new(field("reason"), "return.reason_unknown"));
        }
        if input.lines[..index].iter().any(|l| l.line_number == line.line_number) {
            checks.add(FieldError::new(field("line_number"), "order.line_repeated"));
        }
        let Some(from) = returnable.iter().find(|r| r.line_number == line.line_number) else {
            checks.add(FieldError::new(field("line_number"), "return.line_not_received"));
            continue;
        };
        if line.quantity <= 0 {
            checks.add(FieldError::new(field("quantity"), "field.positive"));
        } else if line.quantity > from.left {
            checks.add(FieldError::new(field("quantity"), "return.beyond_received").with("max", from.left.max(0)));
        }
        lines.push(CheckedReturnLine {
            line_number: line.line_number,
            product_id: from.product_id,
            quantity: line.quantity,
            reason: reason.unwrap_or("other"),
        });
    }
    checks.finish()?;
    Ok((note, lines))
}

/// The dealer asks to return goods of one of its received shipments; returns the return's id.
pub async fn request_return(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    shipment_id: i64,
    input: &ReturnInput,
) -> Result<i64, Failure> {
    crate::receipts::require_receiver(actor)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let (order_id, dealer_id, _) = store::shipment_for_receipt(&mut tx, actor.tenant_id, &actor.scope, shipment_id)
        .await?
        .ok_or(Failure::NotFound { entity: "shipment" })?;
    // Takes the shipment's row, so that two returns of it cannot both ask for the same goods.
    store::hold_shipment(&mut tx, shipment_id).await?;
    let returnable = store::returnable(&mut tx, shipment_id).await?;
    let (note, lines) = check(input, &returnable)?;
    let head = store::NewReturn {
        shipment_id,
        order_id,
        dealer_id,
        note: &note,
    };
    let id = store::insert_return(&mut tx, actor, &head, &lines, now).await?;
    audit_return(&mut tx, actor, id, "request", json!({ "lines": lines.len() }), now).await?;
    tx.commit().await?;
    Ok(id)
}

async fn audit_return(
    tx: &mut platform::Tx,
    actor: &Actor,
    id: i64,
    action: &'static str,
    after: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let change = Change {
        entity: "return",
        entity_id: id,
        action,
        before: None,
        after: Some(after),
    };
    Ok(audit::record(tx, actor, now, change).await?)
}

/// The order desk approves a requested return (giving it its return notice number) or rejects it
/// with a reason.
pub async fn decide_return(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    id: i64,
    approve: bool,
    reason: Option<&str>,
) -> Result<(), Failure> {
    actor.require(Permission::ReviewOrders)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if !approve && reason.is_none() {
        return Err(Failure::field("reason", "order.reason_required"));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    store::return_state(&mut tx, actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "return" })?;
    let (state, notice) = if approve {
        ("approved", Some(format!("RN-{id:06}")))
    } else {
        ("rejected", None)
    };
    if !store::decide_return(&mut tx, id, state, notice.as_deref(), &actor.display_name, reason, now).await? {
        return Err(Failure::Conflict {
            code: "return.not_requested",
        });
    }
    audit_return(
        &mut tx,
        actor,
        id,
        state,
        json!({ "notice": notice, "reason": reason }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrivalInput {
    pub lines: Vec<ArrivalLineInput>,
}

/// How many of a returned line arrived fit to sell again, and how many defective; together they
/// are what the return asked for.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrivalLineInput {
    pub line_number: i64,
    pub good_quantity: i64,
    pub defective_quantity: i64,
}

/// The warehouse takes an approved return in: good goods back into the warehouse that shipped
/// them, defective ones into the first warehouse that is not sellable.
pub async fn receive_return(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    id: i64,
    input: &ArrivalInput,
) -> Result<(), Failure> {
    actor.require(Permission::ManageStock)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let (state, shipping_warehouse) = store::return_state(&mut tx, actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "return" })?;
    if state != "approved" {
        return Err(Failure::Conflict {
            code: "return.not_approved",
        });
    }
    let asked: BTreeMap<i64, (i64, i64)> = store::return_lines(&mut tx, id)
        .await?
        .into_iter()
        .map(|(line, product, quantity)| (line, (product, quantity)))
        .collect();
    let mut checks = Checks::new();
    let mut split = Vec::with_capacity(asked.len());
    for (line_number, (product_id, quantity)) in &asked {
        let Some((index, given)) = input
            .lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.line_number == *line_number)
        else {
            checks.add(FieldError::new("lines", "return.line_missing").with("line", line_number));
            continue;
        };
        if given.good_quantity < 0 || given.defective_quantity < 0 {
            checks.add(FieldError::new(
                format!("lines[{index}].good_quantity"),
                "field.not_negative",
            ));
        } else if given.good_quantity + given.defective_quantity != *quantity {
            checks.add(
                FieldError::new(
                    format!("lines[{index}].good_quantity"),
                    "return.arrival_does_not_add_up",
                )
                .with("quantity", quantity),
            );
        }
        split.push((*line_number, *product_id, given.good_quantity, given.defective_quantity));
    }
    checks.finish()?;
    let defective_goods = split.iter().any(|(_, _, _, defective)| *defective > 0);
    let defect_warehouse = if defective_goods {
        Some(
            store::unsellable_warehouse(&mut tx, actor.tenant_id)
                .await?
                .ok_or_else(|| Failure::field("lines", "return.no_defect_warehouse"))?,
        )
    } else {
        None
    };
    let mut pairs = Vec::new();
    let mut movements = Vec::new();
    for (_, product_id, good, defective) in &split {
        for (warehouse, quantity) in [(Some(shipping_warehouse), *good), (defect_warehouse, *defective)] {
            if let (Some(warehouse_id), true) = (warehouse, quantity > 0) {
                pairs.push((warehouse_id, *product_id));
                movements.push(Movement {
                    warehouse_id,
                    product_id: *product_id,
                    kind: "return",
                    on_hand_delta: quantity,
                    reserved_delta: 0,
                    order_id: None,
                    note: Some(format!("return {id}")),
                });
            }
        }
    }
    stock::ensure_levels(&mut tx, actor.tenant_id, now, &pairs).await?;
    if stock::apply(&mut tx, actor.tenant_id, actor.user_id, now, &movements)
        .await?
        .is_err()
    {
        return Err(Failure::Internal(format!("return {id} could not add stock")));
    }
    store::set_arrival(&mut tx, id, &split, &actor.display_name, now).await?;
    audit_return(&mut tx, actor, id, "arrive", json!({ "lines": split.len() }), now).await?;
    tx.commit().await?;
    Ok(())
}

/// The most photos one return carries.
pub const PHOTOS_PER_RETURN: usize = 5;

/// The dealer adds a photo (PNG, JPEG or WebP, at most 2 MB) to its return while it awaits a
/// decision; returns the photo's id.
pub async fn add_photo(db: &Db, clock: &Clock, actor: &Actor, id: i64, bytes: Vec<u8>) -> Result<i64, Failure> {
    crate::receipts::require_receiver(actor)?;
    let content_type =
        platform::pictures::media_type(&bytes).ok_or_else(|| Failure::field("photo", "product.image_type"))?;
    if bytes.len() > platform::pictures::MAX_BYTES {
        return Err(Failure::Invalid(vec![
            FieldError::new("photo", "product.image_size").with("max_mib", platform::pictures::MAX_BYTES / 1024 / 1024)
        ]));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let (state, _) = store::return_state(&mut tx, actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "return" })?;
    if state != "requested" {
        return Err(Failure::Conflict {
            code: "return.not_requested",
        });
    }
    if store::photo_count(&mut tx, id).await? >= PHOTOS_PER_RETURN as i64 {
        return Err(Failure::Invalid(vec![FieldError::new(
            "photo",
            "return.too_many_photos",
        )
        .with("max", PHOTOS_PER_RETURN)]));
    }
    let photo = store::insert_photo(&mut tx, actor.tenant_id, id, content_type, bytes, now).await?;
    audit_return(&mut tx, actor, id, "add_photo", json!({ "photo_id": photo }), now).await?;
    tx.commit().await?;
    Ok(photo)
}

/// A photo of a return the actor may see: its media type and bytes.
pub async fn photo(db: &Db, actor: &Actor, id: i64, photo_id: i64) -> Result<(String, Vec<u8>), Failure> {
    actor.require(Permission::ViewOrders)?;
    store::return_photo(db, actor.tenant_id, &actor.scope, id, photo_id)
        .await?
        .ok_or(Failure::NotFound { entity: "photo" })
}

/// A return as both sides see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Return {
    pub id: i64,
    pub shipment_id: i64,
    pub shipment_number: String,
    pub order_id: i64,
    pub dealer_order_number: String,
    pub dealer_code: String,
    /// `requested`, `approved`, `rejected` or `received`.
    pub state: String,
    pub note: String,
    pub requested_at: DateTime<Utc>,
    pub requested_by_name: String,
    pub notice_number: Option<String>,
    pub decided_by_name: Option<String>,
    pub decision_reason: Option<String>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub lines: Vec<ReturnLine>,
    /// Ids of the photos the dealer added, for `GET /returns/{id}/photos/{photo_id}`.
    pub photo_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReturnLine {
    pub order_line_number: i64,
    pub sku: String,
    pub quantity: i64,
    pub reason: String,
    pub good_quantity: Option<i64>,
    pub defective_quantity: Option<i64>,
}

/// Returns the actor may see, newest first: of one order, or in one state.
pub async fn returns(
    db: &Db,
    actor: &Actor,
    order_id: Option<i64>,
    state: Option<&str>,
    sort: platform::Sort,
    page: PageRequest,
) -> Result<Page<Return>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::list_returns(db, actor.tenant_id, &actor.scope, order_id, state, sort, page).await?)
}

pub use crate::store::RETURN_SORT;

/// Returns the actor may see that are still under way (awaiting a decision, or approved and not
/// yet back), newest first, at most `limit`, without their lines, and how many there are in all.
pub async fn open_returns(db: &Db, actor: &Actor, limit: u32) -> Result<Page<Return>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::open_returns(db, actor.tenant_id, &actor.scope, limit).await?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn returnable() -> Vec<Returnable> {
        vec![Returnable {
            line_number: 1,
            product_id: 7,
            left: 10,
        }]
    }

    fn codes(lines: Vec<ReturnLineInput>) -> Vec<String> {
        match check(&ReturnInput { note: None, lines }, &returnable()) {
            Err(Failure::Invalid(errors)) => errors.iter().map(|e| format!("{} {}", e.field, e.code)).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn line(line_number: i64, quantity: i64, reason: &str) -> ReturnLineInput {
        ReturnLineInput {
            line_number,
            quantity,
            reason: reason.into(),
        }
    }

    #[test]
    fn no_more_is_returned_than_was_received_less_earlier_returns() {
        assert_eq!(
            codes(vec![line(1, 11, "damaged")]),
            vec!["lines[0].quantity return.beyond_received"]
        );
        assert!(check(
            &ReturnInput {
                note: None,
                lines: vec![line(1, 10, "damaged")]
            },
            &returnable()
        )
        .is_ok());
    }

    #[test]
    fn a_return_names_a_received_line_and_a_known_reason() {
        assert_eq!(
            codes(vec![line(2, 1, "broken")]),
            vec![
                "lines[0].reason return.reason_unknown",
                "lines[0].line_number return.line_not_received"
            ]
        );
    }
}
