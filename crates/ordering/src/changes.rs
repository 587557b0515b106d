//! Change requests of confirmed orders: one side proposes line changes of quantity, delivery
//! date and (the manufacturer only) unit price with a reason; the other side approves, which
//! writes the change into the order with its stock, totals and exposure, or rejects, which leaves
//! the order as it was. Every request stays on the order as its history.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use platform::audit::{self, Change};
use platform::failure::Checks;
use platform::money::{MoneyError, Rounding};
use platform::{Actor, Clock, Currency, Db, Failure, FieldError, Money, Page, Permission, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use fulfilment::stock::{self, Movement};

use crate::commands::tenant_today;
use crate::domain::{required_reason, vat_of, OrderState};
use crate::store::{self, LineHead};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequestInput {
    pub reason: String,
    pub lines: Vec<ChangeLineInput>,
}

/// What should become of one line; what is left out stays as it is.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeLineInput {
    pub line_number: i64,
    #[serde(default)]
    pub quantity: Option<i64>,
    /// The manufacturer's side only: a new net unit price in the order's currency.
    #[serde(default)]
    pub unit_price: Option<String>,
    #[serde(default)]
    pub delivery_on: Option<NaiveDate>,
}

/// One line of a request as stored: what it asks for, in minor units for the price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedLine {
    pub line_number: i64,
    pub quantity: Option<i64>,
    pub unit_price_minor: Option<i64>,
    pub delivery_on: Option<NaiveDate>,
}

/// What a line becomes under a change.
///
/// A new quantity is what is both ordered and confirmed from now on, except zero: the line keeps
/// what was ordered and is confirmed at nothing, as a line confirmed at zero on review is. The
/// line total follows the ordered quantity at the line's own effective price, so a promotion's
/// discount is kept; a new unit price replaces that price.
pub fn changed_line(line: &LineHead, change: &ProposedLine, currency: Currency) -> Result<LineHead, MoneyError> {
    let mut changed = line.clone();
    if let Some(price) = change.unit_price_minor {
        changed.unit_net_price_minor = price;
    }
    if let Some(quantity) = change.quantity {
        if quantity > 0 {
            changed.quantity = quantity;
        }
        changed.confirmed_quantity = Some(quantity);
    }
    if let Some(date) = change.delivery_on {
        changed.delivery_on = date;
    }
    changed.line_total_minor = if change.unit_price_minor.is_some() {
        Money::new(changed.unit_net_price_minor, currency)
            .apply_rate(changed.quantity, 1, Rounding::HalfUp)?
            .minor()
    } else {
        Money::new(line.line_total_minor, currency)
            .apply_rate(changed.quantity, line.quantity, Rounding::HalfUp)?
            .minor()
    };
    Ok(changed)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeRequest {
    pub id: i64,
    pub order_id: i64,
    /// `dealer` or `manufacturer`: who asked; the other side decides.
    pub raised_by_side: String,
    /// The user who asked.
    pub raised_by: Option<i64>,
    pub raised_by_name: String,
    pub reason: String,
    /// `open`, `approved`, `rejected` or `withdrawn`.
    pub state: String,
    pub decided_by_name: Option<String>,
    pub decision_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub lines: Vec<ChangeLine>,
}

/// An open request as a list of what waits for a decision shows it.
#[derive(Debug, Clone)]
pub struct OpenChangeRequest {
    pub id: i64,
    pub order_id: i64,
    pub dealer_order_number: String,
    /// `dealer` or `manufacturer`: who asked; the other side decides.
    pub raised_by_side: String,
    pub raised_by_name: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// One line of a request: what it asks for beside what the line was when it was asked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeLine {
    pub line_number: i64,
    pub old_quantity: Option<i64>,
    pub old_unit_price: Option<String>,
    pub old_delivery_on: Option<NaiveDate>,
    pub new_quantity: Option<i64>,
    pub new_unit_price: Option<String>,
    pub new_delivery_on: Option<NaiveDate>,
}

fn side_of(actor: &Actor) -> Result<&'static str, Failure> {
    if actor.is_dealer_user() {
        actor.require(Permission::PlaceOrders)?;
        Ok("dealer")
    } else {
        actor.require(Permission::ReviewOrders)?;
        Ok("manufacturer")
    }
}

/// An order a change request is about, held for the rest of the transaction.
struct ChangeableOrder {
    dealer_id: i64,
    currency: Currency,
}

/// The order if the actor may see it and it is confirmed and not yet shipped. Its row is taken
/// for the transaction, so that a concurrent cancellation, shipment or decision on the same
/// order waits for this one and then finds what it left.
async fn changeable_order(
    tx: &mut Tx,
    actor: &Actor,
    order_id: i64,
    now: DateTime<Utc>,
) -> Result<ChangeableOrder, Failure> {
    let (dealer_id, state, currency) = store::order_for_change(tx, actor.tenant_id, &actor.scope, order_id)
        .await?
        .ok_or(Failure::NotFound { entity: "order" })?;
    let state = match state {
        Some(state @ (OrderState::Confirmed | OrderState::PartiallyConfirmed)) => state,
        _ => {
            return Err(Failure::Conflict {
                code: "change.order_not_confirmed",
            })
        }
    };
    // A move from the state to itself: the conditional update locks the row, or finds that
    // another transaction moved the order on first.
    if !store::change_state(tx, order_id, state, state, None, now).await? {
        return Err(Failure::Conflict {
            code: "order.changed_meanwhile",
        });
    }
    let currency = Currency::parse(&currency).map_err(|e| Failure::Internal(e.to_string()))?;
    Ok(ChangeableOrder { dealer_id, currency })
}

/// Proposes a change of a confirmed order; at most one request is open per order.
pub async fn raise_change_request(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    order_id: i64,
    input: &ChangeRequestInput,
) -> Result<i64, Failure> {
    let side = side_of(actor)?;
    let today = tenant_today(db, clock, actor).await?;
    let now = clock.now();
    let mut checks = Checks::new();
    let reason = checks.text("reason", &input.reason, 1_000);
    if input.lines.is_empty() {
        checks.add(FieldError::new("lines", "change.no_lines"));
    }
    let mut tx = db.begin().await?;
    let order = changeable_order(&mut tx, actor, order_id, now).await?;
    let heads: HashMap<i64, LineHead> = store::line_heads(&mut tx, order_id)
        .await?
        .into_iter()
        .map(|line| (line.line_number, line))
        .collect();
    let mut lines = Vec::with_capacity(input.lines.len());
    for (index, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{index}].{name}");
        let head = heads.get(&line.line_number);
        if head.is_none() {
            checks.add(FieldError::new(field("line_number"), "field.not_found"));
        }
        if line.quantity.is_none() && line.unit_price.is_none() && line.delivery_on.is_none() {
            checks.add(FieldError::new(field("line_number"), "change.nothing_changed"));
        }
        if line.quantity.is_some_and(|q| q < 0) {
            checks.add(FieldError::new(field("quantity"), "field.not_negative"));
        }
        if line.delivery_on.is_some_and(|d| d < today) {
            checks.add(FieldError::new(field("delivery_on"), "order.date_in_past"));
        }
        let price = match line.unit_price.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(_) if side == "dealer" => {
                checks.add(FieldError::new(
                    field("unit_price"),
                    "change.price_by_manufacturer_only",
                ));
                None
            }
            Some(text) => match Money::parse_decimal(text, order.currency) {
                Ok(money) if !money.is_negative() => Some(money.minor()),
                Ok(_) => {
                    checks.add(FieldError::new(field("unit_price"), "field.not_negative"));
                    None
                }
                Err(error) => {
                    checks.add(FieldError::new(field("unit_price"), error.code()));
                    None
                }
            },
            None => None,
        };
        let proposed = ProposedLine {
            line_number: line.line_number,
            quantity: line.quantity,
            unit_price_minor: price,
            delivery_on: line.delivery_on,
        };
        // Checked now, so that an approval cannot fail on an amount nobody could pay.
        if let Some(head) = head {
            if let Err(error) = changed_line(head, &proposed, order.currency) {
                let name = if price.is_some() { "unit_price" } else { "quantity" };
                checks.add(FieldError::new(field(name), error.code()));
            }
        }
        lines.push((proposed, head.cloned()));
    }
    checks.finish()?;
    let raised = store::NewChangeRequest {
        order_id,
        side,
        reason: &reason,
    };
    let id = match store::insert_change_request(&mut tx, actor, &raised, &lines, now).await {
        Err(error) if error.is_unique_violation() => {
            return Err(Failure::Conflict {
                code: "change.already_open",
            })
        }
        other => other?,
    };
    event(&mut tx, actor, order_id, "change_requested", Some(&reason), now).await?;
    audit_decision(&mut tx, actor, id, "raise", Some(&reason), now).await?;
    tx.commit().await?;
    Ok(id)
}

async fn event(
    tx: &mut Tx,
    actor: &Actor,
    order_id: i64,
    kind: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let event = store::NewEvent {
        kind,
        from_state: None,
        to_state: None,
        note,
        user_id: actor.user_id,
        user_name: &actor.display_name,
    };
    Ok(store::insert_event(tx, actor.tenant_id, order_id, &event, now).await?)
}

async fn audit_decision(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    action: &'static str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let change = Change {
        entity: "change_request",
        entity_id: id,
        action,
        before: None,
        after: Some(json!({ "reason": reason })),
    };
    Ok(audit::record(tx, actor, now, change).await?)
}

/// The request of the id, if the actor may see its order: (order, side, raiser).
async fn request_head(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(i64, String, Option<i64>), Failure> {
    let (order_id, side, raised_by, state) = store::change_request_head(tx, actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound {
            entity: "change_request",
        })?;
    if state != "open" {
        return Err(Failure::Conflict {
            code: "change.not_open",
        });
    }
    Ok((order_id, side, raised_by))
}

/// Closes the request unless someone else closed it since it was read.
async fn close(
    tx: &mut Tx,
    id: i64,
    state: &str,
    decided_by: Option<&str>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    if store::close_change_request(tx, id, state, decided_by, reason, now).await? {
        Ok(())
    } else {
        Err(Failure::Conflict {
            code: "change.not_open",
        })
    }
}

/// The side that did not ask decides: approving writes the change into the order (stock,
/// amounts, VAT, exposure), rejecting needs a reason and changes nothing.
pub async fn decide_change_request(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    id: i64,
    approve: bool,
    reason: Option<&str>,
) -> Result<String, Failure> {
    let side = side_of(actor)?;
    let now = clock.now();
    let reason = if approve {
        reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned)
    } else {
        Some(required_reason(reason)?)
    };
    let mut tx = db.begin().await?;
    let (order_id, raised_by_side, _) = request_head(&mut tx, actor, id).await?;
    if raised_by_side == side {
        return Err(Failure::Conflict {
            code: "change.other_side_decides",
        });
    }
    let order = changeable_order(&mut tx, actor, order_id, now).await?;
    let state = if approve { "approved" } else { "rejected" };
    close(&mut tx, id, state, Some(&actor.display_name), reason.as_deref(), now).await?;
    if approve {
        apply_change(&mut tx, actor, id, order_id, &order, now).await?;
    }
    let kind = if approve { "change_approved" } else { "change_rejected" };
    event(&mut tx, actor, order_id, kind, reason.as_deref(), now).await?;
    let action = if approve { "approve" } else { "reject" };
    audit_decision(&mut tx, actor, id, action, reason.as_deref(), now).await?;
    tx.commit().await?;
    Ok(state.to_owned())
}

/// The raiser takes an open request back.
pub async fn withdraw_change_request(db: &Db, clock: &Clock, actor: &Actor, id: i64) -> Result<(), Failure> {
    side_of(actor)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let (order_id, _, raised_by) = request_head(&mut tx, actor, id).await?;
    if raised_by.is_none() || raised_by != actor.user_id.map(platform::UserId::get) {
        return Err(Failure::Conflict {
            code: "change.only_raiser_withdraws",
        });
    }
    close(&mut tx, id, "withdrawn", None, None, now).await?;
    event(&mut tx, actor, order_id, "change_withdrawn", None, now).await?;
    audit_decision(&mut tx, actor, id, "withdraw", None, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes an approved request into its order: each changed line, the stock it holds, the
/// order's amounts with VAT, and the dealer's exposure.
async fn apply_change(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    order_id: i64,
    order: &ChangeableOrder,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let currency = order.currency;
    let changes: HashMap<i64, ProposedLine> = store::proposed_lines(tx, id)
        .await?
        .into_iter()
        .map(|line| (line.line_number, line))
        .collect();
    let mut movements = Vec::new();
    // Which line each movement is for, to name it if stock falls short.
    let mut moved_lines = Vec::new();
    let money = |e: MoneyError| Failure::field("lines", e.code());
    let (mut net, mut vat, mut gross) = (Money::zero(currency), Money::zero(currency), Money::zero(currency));
    let note = format!("change request {id}");
    for line in store::line_heads(tx, order_id).await? {
        let line = match changes.get(&line.line_number) {
            Some(change) => {
                let changed = changed_line(&line, change, currency).map_err(money)?;
                let delta = changed.reserved() - line.reserved();
                if delta != 0 {
                    movements.push(Movement {
                        warehouse_id: line.warehouse_id,
                        product_id: line.product_id,
                        kind: if delta > 0 { "reservation" } else { "release" },
                        on_hand_delta: 0,
                        reserved_delta: delta,
                        order_id: Some(order_id),
                        note: Some(note.clone()),
                    });
                    moved_lines.push(line.line_number);
                }
                store::write_changed_line(tx, order_id, &changed, &note).await?;
                changed
            }
            None => line,
        };
        let line_net = Money::new(line.line_total_minor, currency);
        let confirmed_net = line_net
            .apply_rate(line.reserved(), line.quantity, Rounding::HalfUp)
            .map_err(money)?;
        net = net.checked_add(line_net).map_err(money)?;
        vat = vat.checked_add(vat_of(line_net, line.vat_rate_bp)?).map_err(money)?;
        let confirmed_gross = confirmed_net
            .checked_add(vat_of(confirmed_net, line.vat_rate_bp)?)
            .map_err(money)?;
        gross = gross.checked_add(confirmed_gross).map_err(money)?;
    }
    // Read first, to name the lines; a failed update would abort the transaction on PostgreSQL.
    let short = short_lines(tx, actor, &movements, &moved_lines).await?;
    if !short.is_empty() {
        return Err(Failure::Invalid(short));
    }
    if stock::apply(tx, actor.tenant_id, actor.user_id, now, &movements)
        .await?
        .is_err()
    {
        // Another order took the stock between the read and the update.
        return Err(Failure::Conflict {
            code: "order.changed_meanwhile",
        });
    }
    let old_exposure = store::set_order_amounts(tx, order_id, net.minor(), vat.minor(), gross.minor(), now).await?;
    store::take_exposure(
        tx,
        platform::DealerId(order.dealer_id),
        gross.minor() - old_exposure,
        true,
    )
    .await?;
    Ok(())
}

/// The lines whose larger quantity the stock can no longer cover, each with what is left.
async fn short_lines(
    tx: &mut Tx,
    actor: &Actor,
    movements: &[Movement],
    lines: &[i64],
) -> Result<Vec<FieldError>, Failure> {
    let products: Vec<i64> = movements
        .iter()
        .filter(|m| m.reserved_delta > 0)
        .map(|m| m.product_id)
        .collect();
    let available = stock::availability(tx, actor.tenant_id, &products).await?;
    Ok(movements
        .iter()
        .zip(lines)
        .filter_map(|(movement, line)| {
            let left = available
                .iter()
                .find(|a| a.warehouse_id == movement.warehouse_id && a.product_id == movement.product_id)
                .map_or(0, |a| a.available);
            (movement.reserved_delta > left).then(|| {
                FieldError::new("lines", "change.stock_insufficient")
                    .with("line", line)
                    .with("available", left.max(0))
            })
        })
        .collect())
}

/// Every change request of an order the actor may see, newest first, with its lines.
pub async fn change_requests(db: &Db, actor: &Actor, order_id: i64) -> Result<Vec<ChangeRequest>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::list_change_requests(db, actor.tenant_id, &actor.scope, order_id).await?)
}

/// The open change requests of orders the actor may see, newest first, at most `limit`, and how
/// many are open in all.
pub async fn open_change_requests(db: &Db, actor: &Actor, limit: u32) -> Result<Page<OpenChangeRequest>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::open_change_requests(db, actor.tenant_id, &actor.scope, limit).await?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn rub() -> Currency {
        Currency::parse("RUB").unwrap()
    }

    /// 48 ordered, 36 confirmed, at 10.00 less a promotion: 48 × 10.00 − 24.00.
    fn line() -> LineHead {
        LineHead {
            line_number: 1,
            product_id: 7,
            quantity: 48,
            confirmed_quantity: Some(36),
            unit_net_price_minor: 1_000,
            line_total_minor: 45_600,
            vat_rate_bp: 2_000,
            warehouse_id: 3,
            delivery_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        }
    }

    fn change(quantity: Option<i64>, price: Option<i64>) -> ProposedLine {
        ProposedLine {
            line_number: 1,
            quantity,
            unit_price_minor: price,
            delivery_on: None,
        }
    }

    #[test]
    fn a_new_quantity_is_ordered_and_confirmed_and_keeps_the_discount() {
        let changed = changed_line(&line(), &change(Some(24), None), rub()).unwrap();
        assert_eq!((changed.quantity, changed.confirmed_quantity), (24, Some(24)));
        assert_eq!(
            changed.line_total_minor, 22_800,
            "half the units, half the discounted total"
        );
    }

    #[test]
    fn a_quantity_of_zero_confirms_nothing_and_keeps_what_was_ordered() {
        let changed = changed_line(&line(), &change(Some(0), None), rub()).unwrap();
        assert_eq!((changed.quantity, changed.confirmed_quantity), (48, Some(0)));
        assert_eq!(changed.line_total_minor, 45_600);
        assert_eq!(changed.reserved(), 0);
    }

    #[test]
    fn a_new_price_alone_reprices_what_was_ordered_and_leaves_the_confirmation() {
        let changed = changed_line(&line(), &change(None, Some(900)), rub()).unwrap();
        assert_eq!((changed.quantity, changed.confirmed_quantity), (48, Some(36)));
        assert_eq!(changed.line_total_minor, 43_200);
    }

    #[test]
    fn a_date_alone_changes_no_amount() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
        let proposed = ProposedLine {
            delivery_on: Some(date),
            ..change(None, None)
        };
        let changed = changed_line(&line(), &proposed, rub()).unwrap();
        assert_eq!(changed.delivery_on, date);
        assert_eq!(changed.line_total_minor, line().line_total_minor);
        assert_eq!(changed.reserved(), 36);
    }

    #[test]
    fn an_amount_too_large_to_hold_is_refused() {
        let error = changed_line(&line(), &change(Some(i64::MAX / 2), Some(i64::MAX / 2)), rub()).unwrap_err();
        assert_eq!(error.code(), "money.overflow");
    }
}
