//! Change requests of confirmed orders: one side proposes line changes of quantity, delivery
//! date and (the manufacturer only) unit price with a reason; the other side approves, which
//! writes the change into the order with its stock, totals and exposure, or rejects, which leaves
//! the order as it was. Every request stays on the order as its history.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use platform::failure::Checks;
use platform::{Actor, Clock, Currency, Db, Failure, FieldError, Money, Permission, Tx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use fulfilment::stock::{self, Movement};

use crate::commands::tenant_today;
use crate::domain::{required_reason, vat_of, OrderState};
use crate::store;

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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeLine {
    pub line_number: i64,
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

/// The order if the actor may see it and it is confirmed and not yet shipped: (dealer, currency).
async fn changeable_order(tx: &mut Tx, actor: &Actor, order_id: i64) -> Result<(i64, String), Failure> {
    let (dealer_id, state, currency) = store::order_for_change(tx, actor.tenant_id, &actor.scope, order_id)
        .await?
        .ok_or(Failure::NotFound { entity: "order" })?;
    if !matches!(state, Some(OrderState::Confirmed | OrderState::PartiallyConfirmed)) {
        return Err(Failure::Conflict {
            code: "change.order_not_confirmed",
        });
    }
    Ok((dealer_id, currency))
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
    let (_, currency) = changeable_order(&mut tx, actor, order_id).await?;
    let currency = Currency::parse(&currency).map_err(|e| Failure::Internal(e.to_string()))?;
    let numbers = store::line_numbers(&mut tx, order_id).await?;
    let mut lines = Vec::with_capacity(input.lines.len());
    for (index, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{index}].{name}");
        if !numbers.contains(&line.line_number) {
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
            Some(text) => match Money::parse_decimal(text, currency) {
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
        lines.push(ProposedLine {
            line_number: line.line_number,
            quantity: line.quantity,
            unit_price_minor: price,
            delivery_on: line.delivery_on,
        });
    }
    checks.finish()?;
    if store::open_change_request(&mut tx, order_id).await? {
        return Err(Failure::Conflict {
            code: "change.already_open",
        });
    }
    let raised = store::NewChangeRequest {
        order_id,
        side,
        reason: &reason,
    };
    let id = store::insert_change_request(&mut tx, actor, &raised, &lines, now).await?;
    event(&mut tx, actor, order_id, "change_requested", Some(&reason), now).await?;
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

/// The open request of the id, if the actor may see its order: (order, side, raiser).
async fn open_request(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(i64, String, Option<i64>), Failure> {
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
    let mut tx = db.begin().await?;
    let (order_id, raised_by_side, _) = open_request(&mut tx, actor, id).await?;
    if raised_by_side == side {
        return Err(Failure::Conflict {
            code: "change.other_side_decides",
        });
    }
    let (dealer_id, currency) = changeable_order(&mut tx, actor, order_id).await?;
    let reason = if approve {
        reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned)
    } else {
        Some(required_reason(reason)?)
    };
    if approve {
        apply_change(&mut tx, actor, id, order_id, dealer_id, &currency, now).await?;
    }
    let state = if approve { "approved" } else { "rejected" };
    store::close_change_request(&mut tx, id, state, Some(&actor.display_name), reason.as_deref(), now).await?;
    let kind = if approve { "change_approved" } else { "change_rejected" };
    event(&mut tx, actor, order_id, kind, reason.as_deref(), now).await?;
    tx.commit().await?;
    Ok(state.to_owned())
}

/// The raiser takes an open request back.
pub async fn withdraw_change_request(db: &Db, clock: &Clock, actor: &Actor, id: i64) -> Result<(), Failure> {
    side_of(actor)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let (order_id, _, raised_by) = open_request(&mut tx, actor, id).await?;
    if raised_by.is_none() || raised_by != actor.user_id.map(platform::UserId::get) {
        return Err(Failure::Conflict {
            code: "change.only_raiser_withdraws",
        });
    }
    store::close_change_request(&mut tx, id, "withdrawn", None, None, now).await?;
    event(&mut tx, actor, order_id, "change_withdrawn", None, now).await?;
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
    dealer_id: i64,
    currency: &str,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let currency = Currency::parse(currency).map_err(|e| Failure::Internal(e.to_string()))?;
    let changes: HashMap<i64, ProposedLine> = store::proposed_lines(tx, id)
        .await?
        .into_iter()
        .map(|line| (line.line_number, line))
        .collect();
    let mut movements = Vec::new();
    let add = |a: Money, b: Money| a.checked_add(b).map_err(|e| Failure::Internal(e.to_string()));
    let (mut net, mut vat, mut gross) = (Money::zero(currency), Money::zero(currency), Money::zero(currency));
    for mut line in store::line_heads(tx, order_id).await? {
        // What the line holds now: its confirmed quantity once confirmed.
        let confirmed = line.reserved();
        if let Some(change) = changes.get(&line.line_number) {
            if let Some(price) = change.unit_price_minor {
                line.unit_net_price_minor = price;
            }
            if let Some(new_quantity) = change.quantity {
                let delta = new_quantity - confirmed;
                if delta != 0 {
                    movements.push(Movement {
                        warehouse_id: line.warehouse_id,
                        product_id: line.product_id,
                        kind: if delta > 0 { "reservation" } else { "release" },
                        on_hand_delta: 0,
                        reserved_delta: delta,
                        order_id: Some(order_id),
                        note: Some(format!("change request {id}")),
                    });
                }
                // A change sets what is ordered and confirmed alike; the request keeps the history.
                line.quantity = new_quantity.max(1);
                line.confirmed_quantity = Some(new_quantity);
            }
            if change.unit_price_minor.is_some() || change.quantity.is_some() {
                line.line_total_minor = line.unit_net_price_minor * line.quantity;
            }
            if let Some(date) = change.delivery_on {
                line.delivery_on = date;
            }
            store::write_changed_line(tx, order_id, &line, &format!("change request {id}")).await?;
        }
        let line_net = Money::new(line.line_total_minor, currency);
        let confirmed_net = line_net
            .apply_rate(line.reserved(), line.quantity.max(1), platform::money::Rounding::HalfUp)
            .map_err(|e| Failure::Internal(e.to_string()))?;
        net = add(net, line_net)?;
        vat = add(vat, vat_of(line_net, line.vat_rate_bp)?)?;
        gross = add(gross, add(confirmed_net, vat_of(confirmed_net, line.vat_rate_bp)?)?)?;
    }
    if stock::apply(tx, actor.tenant_id, actor.user_id, now, &movements)
        .await?
        .is_err()
    {
        return Err(Failure::field("lines", "order.stock_insufficient"));
    }
    let old_exposure = store::set_order_amounts(tx, order_id, net.minor(), vat.minor(), gross.minor(), now).await?;
    store::take_exposure(tx, platform::DealerId(dealer_id), gross.minor() - old_exposure, true).await?;
    Ok(())
}

/// Every change request of an order the actor may see, newest first, with its lines.
pub async fn change_requests(db: &Db, actor: &Actor, order_id: i64) -> Result<Vec<ChangeRequest>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::list_change_requests(db, actor.tenant_id, &actor.scope, order_id).await?)
}
