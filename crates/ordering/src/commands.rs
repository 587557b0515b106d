//! Ordering commands: placing an order and the manufacturer's decisions on it. Each is one
//! transaction that checks and records everything, or nothing.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use platform::audit::{self, Change};
use platform::{Actor, Clock, Currency, Db, DealerAudience, DealerId, Failure, FieldError, Money, Permission, Tx};
use pricing::promotions::PricedLine;
use serde_json::json;

use fulfilment::stock::{self, Movement};

use crate::domain::{
    decide_lines, required_reason, resolve_lines, vat_of, AmountLimits, Channel, CheckedOrder, LineAsOrdered,
    LineDecision, OrderEvent, OrderInput, OrderState, OrderableProduct,
};
use crate::recording::{self, Attempt, Recorded, Writing};
use crate::store::{self, LineHead, NewEvent, OrderHead};

/// How placing an order ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Placed {
    pub order_id: i64,
    pub state: OrderState,
    /// `false` when the same order had been placed before (same dealer order number or
    /// idempotency key): nothing new was created.
    pub created: bool,
}

/// Today in the tenant's time zone.
pub async fn tenant_today(db: &Db, clock: &Clock, actor: &Actor) -> Result<NaiveDate, Failure> {
    Ok(tenant_day(db, clock, actor).await?.0)
}

/// The tenant's date today and its settings, pricing revisions included: one query.
pub(crate) async fn tenant_day(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
) -> Result<(NaiveDate, store::TenantSettings), Failure> {
    let settings = store::tenant_settings(db, actor.tenant_id).await?;
    Ok((today_in(&settings.time_zone, clock.now()), settings))
}

fn today_in(time_zone: &str, now: DateTime<Utc>) -> NaiveDate {
    let zone: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::UTC);
    now.with_timezone(&zone).date_naive()
}

/// How often placing retries when another order took stock or promotion budget between pricing
/// and writing; each retry prices afresh. A retry only happens when another order succeeded in the
/// meantime, so a few are plenty even with many orders racing for one product.
const ATTEMPTS: usize = 8;

/// Places a dealer's order: every product published to the dealer and active, quantities by the
/// product's rules, prices and promotions by the server, free goods and bundle components as
/// their own lines, stock reserved in the warehouse serving the delivery location (or the next
/// by priority), the dealer's credit and order amount limits checked, promotion budgets taken.
pub async fn place_order(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    input: &OrderInput,
    channel: Channel,
    idempotency_key: Option<&str>,
) -> Result<Placed, Failure> {
    let idempotency_key = idempotency_key.map(str::trim).filter(|key| !key.is_empty());
    let how = How {
        channel,
        idempotency_key,
        replacing: None,
    };
    let placed = place(db, clock, actor, audience, std::slice::from_ref(input), how).await?;
    placed
        .into_iter()
        .next()
        .ok_or_else(|| Failure::Internal("one order in, none out".into()))
}

/// Places several orders of one dealer together, all or none, as [`place_order`] places one: a
/// consolidated order, one order per delivery location, as an uploaded spreadsheet brings them.
/// Errors name the order as `orders[k].…`. Sending the same orders again places nothing and
/// answers with the orders placed the first time; when only some of the numbers were used
/// before, those are refused.
pub async fn place_orders(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    inputs: &[OrderInput],
    channel: Channel,
) -> Result<Vec<Placed>, Failure> {
    if inputs.is_empty() {
        return Err(Failure::field("orders", "order.no_orders"));
    }
    let how = How {
        channel,
        idempotency_key: None,
        replacing: None,
    };
    place(db, clock, actor, audience, inputs, how).await
}

/// Submits a draft: it is checked, priced, and takes stock, credit and budgets as a new order
/// would, keeping its id and number; it fails as placing would, and stays a draft then.
pub async fn submit_draft(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    order_id: i64,
) -> Result<Placed, Failure> {
    actor.require(Permission::PlaceOrders)?;
    let mut tx = db.begin().await?;
    let head = order_in_scope(&mut tx, actor, order_id).await?;
    drop(tx);
    if head.state != OrderState::Draft {
        return Err(Failure::Conflict {
            code: "order.not_a_draft",
        });
    }
    if !placed_it(actor, &head) && !head.allow_adjust {
        return Err(Failure::Conflict {
            code: "order.adjust_not_allowed",
        });
    }
    let input = store::draft_input(db, order_id).await?;
    let how = How {
        channel: Channel::Portal,
        idempotency_key: None,
        replacing: Some(order_id),
    };
    let placed = place(db, clock, actor, audience, &[input], how).await?;
    placed
        .into_iter()
        .next()
        .ok_or_else(|| Failure::Internal("one draft in, none out".into()))
}

/// Whether the dealer's actor placed the order itself. An order placed by no user came from the
/// dealer's own system through EDI, which speaks for the dealer and may take back what it sent.
fn placed_it(actor: &Actor, head: &OrderHead) -> bool {
    head.placed_by == actor.user_id.map(platform::UserId::get)
}

/// An order's failure as one of several: its fields named `orders[k].…`.
fn of_order(index: usize, several: bool, failure: Failure) -> Failure {
    match failure {
        Failure::Invalid(errors) if several => Failure::Invalid(
            errors
                .into_iter()
                .map(|mut error| {
                    error.field = format!("orders[{index}].{}", error.field);
                    error
                })
                .collect(),
        ),
        other => other,
    }
}

/// How orders come to be placed: by which channel, under which idempotency key, and whether
/// they submit a draft (its id).
struct How<'a> {
    channel: Channel,
    idempotency_key: Option<&'a str>,
    replacing: Option<i64>,
}

async fn place(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    inputs: &[OrderInput],
    how: How<'_>,
) -> Result<Vec<Placed>, Failure> {
    let How {
        channel,
        idempotency_key,
        replacing,
    } = how;
    actor.require(Permission::PlaceOrders)?;
    let dealer_id = actor
        .scope
        .dealer_id()
        .filter(|id| *id == audience.dealer_id)
        .ok_or(Failure::Forbidden)?;
    let several = inputs.len() > 1;
    // Everything up to the first attempt to record reads one snapshot; it is let go before the
    // orders are recorded, and whatever is read again after comes fresh from the pool.
    let mut snapshot = Some(db.snapshot().await?);
    let reads = snapshot.as_ref().unwrap_or(db);
    let numbers: Vec<&str> = inputs.iter().map(|input| input.dealer_order_number.trim()).collect();
    let terms = store::placing_terms(reads, actor.tenant_id, dealer_id, &numbers, idempotency_key).await?;
    let today = today_in(&terms.settings.time_zone, clock.now());
    let mut errors = Vec::new();
    let mut orders = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        match input.check(today).map_err(|failure| of_order(index, several, failure)) {
            Ok(order) => {
                if orders
                    .iter()
                    .any(|o: &CheckedOrder| o.dealer_order_number == order.dealer_order_number)
                {
                    errors.push(FieldError::new(
                        format!("orders[{index}].dealer_order_number"),
                        "order.number_repeated",
                    ));
                }
                orders.push(order);
            }
            Err(Failure::Invalid(found)) => errors.extend(found),
            Err(other) => return Err(other),
        }
    }
    // A draft being submitted is the order of its number; nothing else may be.
    if errors.is_empty() && replacing.is_none() {
        if let Some(placed) = placed_before(reads, actor, dealer_id, &orders, idempotency_key, &terms).await? {
            return Ok(placed);
        }
    }
    let writing = match replacing {
        Some(draft) => Writing::Submitting(draft),
        None if !several && inputs.iter().all(|input| input.draft) => Writing::Draft,
        None => Writing::New,
    };
    // The lines are checked against the catalog even when the orders' own fields were wrong, so
    // that one answer names every problem; a field keeps only its first.
    let mut lines = Vec::with_capacity(inputs.len());
    let mut facts = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let (products, known) = orderable(reads, actor, audience, input).await?;
        match resolve_lines(&input.lines, &products) {
            // Kept side by side, so that each order's lines are priced with their own facts.
            Ok(resolved) => {
                lines.push(resolved);
                facts.push(known);
            }
            Err(failure) => match of_order(index, several, failure) {
                Failure::Invalid(found) => {
                    for error in found {
                        if !errors.iter().any(|e| e.field == error.field) {
                            errors.push(error);
                        }
                    }
                }
                other => return Err(other),
            },
        }
    }
    refuse_if_any(errors)?;
    let limits = AmountLimits::effective(terms.dealer_limits, &terms.group_limits);
    let refuse_over_limit = terms.settings.credit_policy == "refuse";
    let mut written_meanwhile = false;
    for _ in 0..ATTEMPTS {
        if written_meanwhile {
            let fresh = store::placing_terms(db, actor.tenant_id, dealer_id, &numbers, idempotency_key).await?;
            if let Some(placed) = placed_before(db, actor, dealer_id, &orders, idempotency_key, &fresh).await? {
                return Ok(placed);
            }
        }
        let reads = snapshot.as_ref().unwrap_or(db);
        let mut drafts = Vec::with_capacity(orders.len());
        for (index, (lines, known)) in lines.iter().zip(&facts).enumerate() {
            let draft = price(
                reads,
                actor,
                audience,
                terms.settings.pricing_revisions,
                lines,
                known,
                today,
            )
            .await?;
            // A draft may be below the minimum amount; it is checked when it is submitted.
            if writing != Writing::Draft {
                limits
                    .check(draft.net_total)
                    .map_err(|failure| of_order(index, several, failure))?;
            }
            drafts.push(draft);
        }
        snapshot = None;
        let now = clock.now();
        let attempts: Vec<Attempt> = orders
            .iter()
            .zip(drafts)
            .zip(&lines)
            .map(|((order, draft), origins)| Attempt {
                actor: actor.clone(),
                now,
                dealer_id,
                order: order.clone(),
                draft,
                channel,
                idempotency_key: idempotency_key.map(str::to_owned),
                refuse_over_limit,
                origins: origins.clone(),
                writing,
            })
            .collect();
        let outcomes = match <[Attempt; 1]>::try_from(attempts) {
            Ok([attempt]) if writing == Writing::New => vec![recording::record_grouped(db, attempt).await],
            Ok(one) => recording::record_together(db, &one).await?,
            Err(several) => recording::record_together(db, &several).await?,
        };
        let mut placed = Vec::with_capacity(orders.len());
        for (index, outcome) in outcomes.into_iter().enumerate() {
            match outcome.map_err(|failure| of_order(index, several, failure))? {
                Recorded::Placed(one) => placed.push(one),
                Recorded::Duplicate => written_meanwhile = true,
                // Another order took the stock or budget priced for this one: price afresh.
                Recorded::RaceLost => {}
            }
        }
        if placed.len() == orders.len() {
            return Ok(placed);
        }
    }
    Err(Failure::Conflict { code: "order.busy" })
}

fn refuse_if_any(errors: Vec<FieldError>) -> Result<(), Failure> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::Invalid(errors))
    }
}

/// The orders as placed before, when every one of them was; a refusal naming those that were
/// when only some were. Looks only when `terms` found earlier orders.
async fn placed_before(
    db: &Db,
    actor: &Actor,
    dealer_id: DealerId,
    orders: &[CheckedOrder],
    idempotency_key: Option<&str>,
    terms: &store::PlacingTerms,
) -> Result<Option<Vec<Placed>>, Failure> {
    if terms.earlier_order_ids.is_empty() {
        return Ok(None);
    }
    let found = store::earlier_orders(db, actor.tenant_id, &terms.earlier_order_ids).await?;
    let mut earlier = Vec::with_capacity(orders.len());
    let mut missing = false;
    let mut errors = Vec::new();
    for (index, order) in orders.iter().enumerate() {
        let same = found
            .iter()
            .filter(|placed| placed.dealer_id == dealer_id)
            .find(|placed| {
                placed.dealer_order_number == order.dealer_order_number
                    || (idempotency_key.is_some() && placed.idempotency_key.as_deref() == idempotency_key)
            });
        match same {
            Some(placed) => {
                errors.push(FieldError::new(
                    format!("orders[{index}].dealer_order_number"),
                    "order.number_used",
                ));
                earlier.push(Placed {
                    order_id: placed.order_id,
                    state: placed.state,
                    created: false,
                });
            }
            None => missing = true,
        }
    }
    match (earlier.is_empty(), missing) {
        (true, _) => Ok(None),
        (false, false) => Ok(Some(earlier)),
        (false, true) => Err(Failure::Invalid(errors)),
    }
}

/// The products the lines name, as far as the dealer may order them, with what their lines
/// show: one query.
async fn orderable(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    input: &OrderInput,
) -> Result<(Vec<OrderableProduct>, HashMap<i64, catalog::domain::LineFacts>), Failure> {
    let ids: Vec<i64> = input.lines.iter().filter_map(|line| line.product_id).collect();
    let codes: Vec<String> = input
        .lines
        .iter()
        .filter(|line| line.product_id.is_none())
        .filter_map(|line| line.product_code.as_deref().map(str::trim).map(str::to_owned))
        .collect();
    let (items, products) = orderable_products(db, actor, audience, &ids, &codes).await?;
    let facts = items.iter().map(|item| (item.product_id, item.line_facts())).collect();
    Ok((products, facts))
}

/// The products among `ids` and `codes` the dealer may order, in one query: as the catalog has
/// them (a cart also shows their unit and pack size) and as the order lines are checked against.
pub(crate) async fn orderable_products(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    ids: &[i64],
    codes: &[String],
) -> Result<(Vec<catalog::domain::OrderableItem>, Vec<OrderableProduct>), Failure> {
    let items = catalog::queries::orderable_products(db, actor, audience, ids, codes).await?;
    let products = items.iter().map(orderable_product).collect();
    Ok((items, products))
}

/// What the order lines are checked against of a product the dealer may see.
fn orderable_product(item: &catalog::domain::OrderableItem) -> OrderableProduct {
    OrderableProduct {
        product_id: item.product_id,
        sku: item.sku.clone(),
        gtin: item.gtin.clone(),
        category_id: item.category_id,
        active: item.status == catalog::domain::ProductStatus::Active,
        min_order_quantity: item.min_order_quantity,
        order_multiple: item.order_multiple,
    }
}

/// An order priced by the server, line by line with VAT, ready to write.
#[derive(Debug, Clone)]
pub struct Draft {
    pub lines: Vec<PricedLine>,
    pub vat_rates: HashMap<i64, i64>,
    /// SKU and name of every product on the lines, in the actor's language.
    pub facts: HashMap<i64, catalog::domain::LineFacts>,
    pub net_total: Money,
    pub vat_total: Money,
    /// Spend-X-save-Y savings on the whole order (their shares are in the line totals).
    pub order_discounts: Vec<pricing::promotions::Applied>,
    /// (promotion, money, units) taken from each promotion used.
    pub uses: Vec<(i64, i64, i64)>,
}

impl Draft {
    pub fn gross_total(&self) -> Result<Money, Failure> {
        self.net_total
            .checked_add(self.vat_total)
            .map_err(|e| Failure::Internal(e.to_string()))
    }
}

/// Prices the lines in one pass (a few queries for all lines, then the engines) and adds VAT per
/// line. `known` holds the line facts of products already read; only the others are looked up
/// (free goods and bundle components the promotions add, usually none).
pub async fn price(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    revisions: pricing::Revisions,
    lines: &[(i64, Option<i64>, i64)],
    known: &HashMap<i64, catalog::domain::LineFacts>,
    date: NaiveDate,
) -> Result<Draft, Failure> {
    let currency = Currency::parse(&audience.currency).map_err(|e| Failure::Internal(e.to_string()))?;
    let priced = pricing::queries::price_order(db, actor, audience, revisions, lines, date).await?;
    let products: BTreeSet<i64> = priced.cart.lines.iter().map(|line| line.product_id).collect();
    let missing: Vec<i64> = products.iter().filter(|id| !known.contains_key(id)).copied().collect();
    let mut facts = if missing.is_empty() {
        HashMap::new()
    } else {
        catalog::queries::line_facts(db, actor, actor.locale, &missing).await?
    };
    for id in &products {
        if let Some(fact) = known.get(id) {
            facts.insert(*id, fact.clone());
        }
    }
    let vat_rates: HashMap<i64, i64> = facts.iter().map(|(id, f)| (*id, f.vat_rate_bp)).collect();
    let mut vat_total = Money::zero(currency);
    for line in &priced.cart.lines {
        let rate = vat_rates.get(&line.product_id).copied().unwrap_or_default();
        vat_total = vat_total
            .checked_add(vat_of(line.line_total, rate)?)
            .map_err(|e| Failure::Internal(e.to_string()))?;
    }
    Ok(Draft {
        net_total: priced.cart.total,
        vat_total,
        uses: priced
            .cart
            .uses
            .iter()
            .map(|u| (u.promotion_id, u.amount.minor(), u.units))
            .collect(),
        lines: priced.cart.lines,
        order_discounts: priced.cart.order_discounts,
        vat_rates,
        facts,
    })
}

pub(crate) fn reservation(warehouse_id: i64, product_id: i64, quantity: i64, order_id: i64) -> Movement {
    Movement {
        warehouse_id,
        product_id,
        kind: "reservation",
        on_hand_delta: 0,
        reserved_delta: quantity,
        order_id: Some(order_id),
        note: None,
    }
}

fn release(warehouse_id: i64, product_id: i64, quantity: i64, order_id: i64) -> Movement {
    Movement {
        warehouse_id,
        product_id,
        kind: "release",
        on_hand_delta: 0,
        reserved_delta: -quantity,
        order_id: Some(order_id),
        note: None,
    }
}

pub(crate) fn event<'a>(
    actor: &'a Actor,
    kind: &'a str,
    from_state: Option<OrderState>,
    to_state: Option<OrderState>,
    note: Option<&'a str>,
) -> NewEvent<'a> {
    NewEvent {
        kind,
        from_state,
        to_state,
        note,
        user_id: actor.user_id,
        user_name: &actor.display_name,
    }
}

/// The order if the actor may see it; its state as the transaction sees it.
pub(crate) async fn order_in_scope(tx: &mut Tx, actor: &Actor, order_id: i64) -> Result<OrderHead, Failure> {
    store::order_head(tx, actor.tenant_id, &actor.scope, order_id)
        .await?
        .ok_or(Failure::NotFound { entity: "order" })
}

/// Tells the dealer's users what the manufacturer decided, in the decision's transaction: the
/// message names the order by the dealer's number, and `details` fill the rest of its text.
pub(crate) async fn notify_dealer(
    tx: &mut Tx,
    actor: &Actor,
    head: &OrderHead,
    kind: &str,
    details: &[(&str, String)],
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let number = store::dealer_order_number(tx, head.id).await?;
    let mut params = vec![("number", number)];
    params.extend_from_slice(details);
    platform::messages::notify_dealer_users(tx, actor.tenant_id, head.dealer_id, kind, Some(head.id), &params, now)
        .await?;
    Ok(())
}

/// Moves the order on, refusing if someone else moved it first.
pub(crate) async fn transition(
    tx: &mut Tx,
    actor: &Actor,
    head: &OrderHead,
    event_kind: OrderEvent,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<OrderState, Failure> {
    let next = head.state.apply(event_kind)?;
    if !store::change_state(tx, head.id, head.state, next, reason, now).await? {
        return Err(Failure::Conflict {
            code: "order.changed_meanwhile",
        });
    }
    store::insert_event(
        tx,
        actor.tenant_id,
        head.id,
        &event(actor, event_kind.code(), Some(head.state), Some(next), reason),
        now,
    )
    .await?;
    audit::record(
        tx,
        actor,
        now,
        Change {
            entity: "order",
            entity_id: head.id,
            action: event_kind.code(),
            before: Some(json!({ "state": head.state.code() })),
            after: Some(json!({ "state": next.code(), "reason": reason })),
        },
    )
    .await?;
    Ok(next)
}

/// Gives back everything an open order holds: its stock, its exposure, its promotion budgets.
async fn give_back(tx: &mut Tx, actor: &Actor, head: &OrderHead, now: DateTime<Utc>) -> Result<(), Failure> {
    let lines = store::line_heads(tx, head.id).await?;
    let releases: Vec<Movement> = lines
        .iter()
        .filter(|line| line.reserved() > 0)
        .map(|line| release(line.warehouse_id, line.product_id, line.reserved(), head.id))
        .collect();
    if stock::apply(tx, actor.tenant_id, actor.user_id, now, &releases)
        .await?
        .is_err()
    {
        return Err(Failure::Internal(format!(
            "order {} held less stock than its lines",
            head.id
        )));
    }
    store::give_back_exposure(tx, head.dealer_id, head.exposure_minor).await?;
    store::set_exposure(tx, head.id, 0).await?;
    for (promotion, amount, units) in store::order_promotion_uses(tx, head.id).await? {
        store::give_back_promotion(tx, promotion, amount, units).await?;
    }
    Ok(())
}

/// The order desk confirms an order, in full or with changed lines (a reason on each); lowered
/// quantities give their stock back, and the order is split into one sales order per warehouse.
pub async fn confirm_order(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    order_id: i64,
    decisions: &[LineDecision],
) -> Result<OrderState, Failure> {
    actor.require(Permission::ReviewOrders)?;
    let now = clock.now();
    let settings = store::tenant_settings(db, actor.tenant_id).await?;
    let today = today_in(&settings.time_zone, now);
    let mut tx = db.begin().await?;
    let head = order_in_scope(&mut tx, actor, order_id).await?;
    let lines = store::line_heads(&mut tx, order_id).await?;
    let as_ordered: Vec<LineAsOrdered> = lines
        .iter()
        .map(|line| LineAsOrdered {
            line_number: line.line_number,
            quantity: line.quantity,
            delivery_on: line.delivery_on,
        })
        .collect();
    let confirmed = decide_lines(&as_ordered, decisions, today)?;
    if confirmed.iter().all(|line| line.confirmed_quantity == 0) {
        return Err(Failure::field("lines", "order.nothing_confirmed"));
    }
    let partial = confirmed.iter().zip(&as_ordered).any(|(c, o)| c.changed(o));
    let event_kind = if partial {
        OrderEvent::ConfirmPartially
    } else {
        OrderEvent::Confirm
    };
    let next = transition(&mut tx, actor, &head, event_kind, None, now).await?;

    let currency = Currency::parse(&head.currency).map_err(|e| Failure::Internal(e.to_string()))?;
    let mut releases = Vec::new();
    let mut gross = Money::zero(currency);
    for (line, decision) in lines.iter().zip(&confirmed) {
        store::confirm_line(
            &mut tx,
            order_id,
            line.line_number,
            decision.confirmed_quantity,
            decision.delivery_on,
            decision.reason.as_deref(),
        )
        .await?;
        let lowered = line.quantity - decision.confirmed_quantity;
        if lowered > 0 {
            releases.push(release(line.warehouse_id, line.product_id, lowered, order_id));
        }
        gross = gross
            .checked_add(confirmed_gross(line, decision.confirmed_quantity, currency)?)
            .map_err(|e| Failure::Internal(e.to_string()))?;
    }
    if stock::apply(&mut tx, actor.tenant_id, actor.user_id, now, &releases)
        .await?
        .is_err()
    {
        return Err(Failure::Internal(format!(
            "order {order_id} held less stock than its lines"
        )));
    }
    // A held order released by finance carries its exposure; the confirmed amount replaces it.
    store::give_back_exposure(&mut tx, head.dealer_id, head.exposure_minor - gross.minor()).await?;
    store::set_exposure(&mut tx, order_id, gross.minor()).await?;
    store::split_into_sales_orders(&mut tx, actor.tenant_id, order_id, now).await?;
    let kind = if partial {
        "message.order_partially_confirmed"
    } else {
        "message.order_confirmed"
    };
    notify_dealer(&mut tx, actor, &head, kind, &[], now).await?;
    tx.commit().await?;
    Ok(next)
}

/// The gross value of `quantity` units of a line at its net price, with its VAT.
fn confirmed_gross(line: &LineHead, quantity: i64, currency: Currency) -> Result<Money, Failure> {
    let net = Money::new(line.line_total_minor, currency)
        .apply_rate(quantity, line.quantity, platform::money::Rounding::HalfUp)
        .map_err(|e| Failure::Internal(e.to_string()))?;
    net.checked_add(vat_of(net, line.vat_rate_bp)?)
        .map_err(|e| Failure::Internal(e.to_string()))
}

/// The order desk (or finance, for an order on credit hold) rejects an order with a reason;
/// everything it held is given back.
pub async fn reject_order(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    order_id: i64,
    reason: Option<&str>,
) -> Result<OrderState, Failure> {
    if !actor.can(Permission::ReviewOrders) {
        actor.require(Permission::ReleaseCreditHolds)?;
    }
    let reason = required_reason(reason)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let head = order_in_scope(&mut tx, actor, order_id).await?;
    let next = transition(&mut tx, actor, &head, OrderEvent::Reject, Some(&reason), now).await?;
    give_back(&mut tx, actor, &head, now).await?;
    notify_dealer(&mut tx, actor, &head, "message.order_rejected", &[], now).await?;
    tx.commit().await?;
    Ok(next)
}

/// Takes a rejection back: the order is submitted again and takes its stock, promotion budgets
/// and exposure anew (going on credit hold if the limit no longer allows it).
pub async fn undo_rejection(db: &Db, clock: &Clock, actor: &Actor, order_id: i64) -> Result<OrderState, Failure> {
    actor.require(Permission::ReviewOrders)?;
    let now = clock.now();
    let settings = store::tenant_settings(db, actor.tenant_id).await?;
    let mut tx = db.begin().await?;
    let head = order_in_scope(&mut tx, actor, order_id).await?;
    let mut next = transition(&mut tx, actor, &head, OrderEvent::UndoRejection, None, now).await?;
    let lines = store::line_heads(&mut tx, order_id).await?;
    let serving = store::delivery_location(&mut tx, actor.tenant_id, head.dealer_id, head.delivery_location_id)
        .await?
        .flatten();
    let wanted: Vec<(i64, i64)> = lines.iter().map(|l| (l.product_id, l.quantity)).collect();
    let ids: Vec<i64> = wanted
        .iter()
        .map(|(p, _)| *p)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let available = stock::availability(&mut tx, actor.tenant_id, &ids).await?;
    let warehouses = stock::allocate(&wanted, serving, &available).map_err(|shortages| {
        Failure::Invalid(
            shortages
                .iter()
                .map(|s| {
                    FieldError::new(format!("lines[{}].quantity", s.line), "order.stock_insufficient")
                        .with("available", s.available)
                })
                .collect(),
        )
    })?;
    let mut reservations = Vec::new();
    for (line, warehouse) in lines.iter().zip(warehouses) {
        store::set_line_warehouse(&mut tx, order_id, line.line_number, warehouse).await?;
        reservations.push(reservation(warehouse, line.product_id, line.quantity, order_id));
    }
    if stock::apply(&mut tx, actor.tenant_id, actor.user_id, now, &reservations)
        .await?
        .is_err()
    {
        return Err(Failure::Conflict {
            code: "order.changed_meanwhile",
        });
    }
    for (promotion, amount, units) in store::order_promotion_uses(&mut tx, order_id).await? {
        if !store::take_promotion(&mut tx, promotion, amount, units).await? {
            return Err(Failure::Conflict {
                code: "order.promotion_exhausted",
            });
        }
    }
    let currency = Currency::parse(&head.currency).map_err(|e| Failure::Internal(e.to_string()))?;
    let mut gross = Money::zero(currency);
    for line in &lines {
        gross = gross
            .checked_add(confirmed_gross(line, line.quantity, currency)?)
            .map_err(|e| Failure::Internal(e.to_string()))?;
    }
    if store::take_exposure(&mut tx, head.dealer_id, gross.minor(), false).await? {
        store::set_exposure(&mut tx, order_id, gross.minor()).await?;
    } else if settings.credit_policy == "refuse" {
        return Err(Failure::Conflict {
            code: "order.credit_limit_exceeded",
        });
    } else {
        store::change_state(&mut tx, order_id, next, OrderState::OnCreditHold, None, now).await?;
        store::insert_event(
            &mut tx,
            actor.tenant_id,
            order_id,
            &event(
                actor,
                "hold_for_credit",
                Some(next),
                Some(OrderState::OnCreditHold),
                None,
            ),
            now,
        )
        .await?;
        next = OrderState::OnCreditHold;
    }
    tx.commit().await?;
    Ok(next)
}

/// Cancels an order. A dealer's user may cancel before confirmation an order it placed, or any
/// of its dealer's orders that allow adjustment; the manufacturer may cancel until shipment,
/// with a reason. Everything the order held is given back.
pub async fn cancel_order(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    order_id: i64,
    reason: Option<&str>,
) -> Result<OrderState, Failure> {
    actor.require(Permission::ViewOrders)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let head = order_in_scope(&mut tx, actor, order_id).await?;
    let reason = if actor.is_dealer_user() {
        actor.require(Permission::PlaceOrders)?;
        if !placed_it(actor, &head) && !head.allow_adjust {
            return Err(Failure::Conflict {
                code: "order.adjust_not_allowed",
            });
        }
        if !head.state.awaits_review() && head.state != OrderState::Draft {
            return Err(Failure::Conflict {
                code: "order.already_decided",
            });
        }
        reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned)
    } else {
        actor.require(Permission::ReviewOrders)?;
        Some(required_reason(reason)?)
    };
    let next = transition(&mut tx, actor, &head, OrderEvent::Cancel, reason.as_deref(), now).await?;
    // A draft holds nothing to give back.
    if head.state != OrderState::Draft {
        give_back(&mut tx, actor, &head, now).await?;
    }
    if !actor.is_dealer_user() {
        notify_dealer(&mut tx, actor, &head, "message.order_cancelled", &[], now).await?;
    }
    tx.commit().await?;
    Ok(next)
}

/// Finance decides on an order on credit hold: released, it is submitted and counts in the
/// dealer's exposure whatever the limit; refused, it is rejected and gives everything back.
pub async fn decide_credit_hold(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    order_id: i64,
    release: bool,
    reason: Option<&str>,
) -> Result<OrderState, Failure> {
    actor.require(Permission::ReleaseCreditHolds)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let head = order_in_scope(&mut tx, actor, order_id).await?;
    if head.state != OrderState::OnCreditHold {
        return Err(Failure::Conflict {
            code: "order.not_on_credit_hold",
        });
    }
    let next = if release {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let next = transition(&mut tx, actor, &head, OrderEvent::ReleaseCredit, reason, now).await?;
        let lines = store::line_heads(&mut tx, order_id).await?;
        let currency = Currency::parse(&head.currency).map_err(|e| Failure::Internal(e.to_string()))?;
        let mut gross = Money::zero(currency);
        for line in &lines {
            gross = gross
                .checked_add(confirmed_gross(line, line.quantity, currency)?)
                .map_err(|e| Failure::Internal(e.to_string()))?;
        }
        store::take_exposure(&mut tx, head.dealer_id, gross.minor(), true).await?;
        store::set_exposure(&mut tx, order_id, gross.minor()).await?;
        next
    } else {
        let reason = required_reason(reason)?;
        let next = transition(&mut tx, actor, &head, OrderEvent::Reject, Some(&reason), now).await?;
        give_back(&mut tx, actor, &head, now).await?;
        notify_dealer(&mut tx, actor, &head, "message.order_rejected", &[], now).await?;
        next
    };
    tx.commit().await?;
    Ok(next)
}

/// A dealer's credit limit and order amount limits, set by finance (in the dealer's currency).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditInput {
    /// Empty: no limit.
    #[serde(default)]
    pub credit_limit: Option<String>,
    #[serde(default)]
    pub min_order_amount: Option<String>,
    #[serde(default)]
    pub max_order_amount: Option<String>,
}

pub async fn set_dealer_credit(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    input: &CreditInput,
) -> Result<(), Failure> {
    actor.require(Permission::ManageCredit)?;
    let currency = Currency::parse(&audience.currency).map_err(|e| Failure::Internal(e.to_string()))?;
    let mut errors = Vec::new();
    let mut amount = |field: &str, text: &Option<String>| -> Option<i64> {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        match Money::parse_decimal(text, currency) {
            Ok(money) if !money.is_negative() => Some(money.minor()),
            Ok(_) => {
                errors.push(FieldError::new(field, "field.not_negative"));
                None
            }
            Err(error) => {
                errors.push(FieldError::new(field, error.code()));
                None
            }
        }
    };
    let limit = amount("credit_limit", &input.credit_limit);
    let min = amount("min_order_amount", &input.min_order_amount);
    let max = amount("max_order_amount", &input.max_order_amount);
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            errors.push(FieldError::new("max_order_amount", "order.max_below_min"));
        }
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    store::set_dealer_credit(&mut tx, actor.tenant_id, audience.dealer_id, limit, min, max).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "dealer",
            entity_id: audience.dealer_id.get(),
            action: "set_credit",
            before: None,
            after: Some(json!({ "credit_limit_minor": limit, "min_order_minor": min, "max_order_minor": max })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
