//! Recording priced orders: stock, credit and promotion budgets are checked against rows read
//! once, and the orders are written with one multi-row statement per table.
//!
//! Orders placed one at a time at the same moment are recorded together, in one transaction
//! (group commit): one flush to disk serves them all, and thirty orders cost about the
//! statements of one. Each still succeeds or fails on its own, and hears of it only after the
//! commit. Should the group's writes clash with a writer outside it (another server took the
//! stock, or used the order number), the group is abandoned and each order recorded alone.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use fulfilment::stock::{self, Availability, Movement};
use platform::db::Grouped;
use platform::{Actor, Db, DbError, DealerId, Failure, FieldError, TenantId, Tx, UserId};

use crate::commands::{event, reservation, Draft, Placed};
use crate::domain::{Channel, CheckedOrder, OrderState};
use crate::store::{self, CreditStanding, NewEvent, NewLine, NewOrder, PromotionBudget};

/// An order priced and ready to record, with everything needed to record it.
pub(crate) struct Attempt {
    pub actor: Actor,
    pub now: DateTime<Utc>,
    pub dealer_id: DealerId,
    pub order: CheckedOrder,
    pub draft: Draft,
    pub channel: Channel,
    pub idempotency_key: Option<String>,
    pub refuse_over_limit: bool,
    /// The dealer's lines (product, category, quantity), to name them in errors.
    pub origins: Vec<(i64, Option<i64>, i64)>,
    pub writing: Writing,
}

/// What recording an order writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writing {
    /// A new order, with its stock, credit and budgets.
    New,
    /// A draft: priced and kept, holding no stock, credit or budget until it is submitted.
    Draft,
    /// The draft of this id, submitted: it becomes the order, taking everything a new one takes.
    Submitting(i64),
}

pub(crate) enum Recorded {
    Placed(Placed),
    /// The same order was written by a concurrent request.
    Duplicate,
    /// Another order took stock or promotion budget after this one was priced.
    RaceLost,
}

pub(crate) type Outcome = Result<Recorded, Failure>;

/// Records one new order together with whatever other orders are being placed in this process
/// at the same moment.
pub(crate) async fn record_grouped(db: &Db, attempt: Attempt) -> Outcome {
    let group = db.shared::<Grouped<Attempt, Outcome>>();
    let db = db.clone();
    group
        .run(attempt, move |attempts| record_group(db.clone(), attempts))
        .await
        .unwrap_or(Err(Failure::Internal("recording a group of orders stopped".into())))
}

/// Records orders that stand or fall together (one dealer's consolidated order, or a draft):
/// every one placed and committed, or nothing written.
pub(crate) async fn record_together(db: &Db, attempts: &[Attempt]) -> Result<Vec<Outcome>, Failure> {
    let mut tx = db.begin().await?;
    match record(&mut tx, attempts, true).await {
        Ok(outcomes) => {
            if outcomes.iter().all(|o| matches!(o, Ok(Recorded::Placed(_)))) {
                tx.commit().await?;
            }
            Ok(outcomes)
        }
        Err(clash) => Ok(vec![clash.outcome()]),
    }
}

async fn record_group(db: Db, attempts: Vec<Attempt>) -> Vec<Outcome> {
    let together = async {
        let started = std::time::Instant::now();
        let mut tx = db.begin().await?;
        let outcomes = record(&mut tx, &attempts, false).await?;
        let recorded = started.elapsed();
        tx.commit().await.map_err(Clash::from)?;
        // How the writer's time splits, for `DEALERPORT_LOG=ordering::group_commit=debug`.
        tracing::debug!(target: "ordering::group_commit", orders = attempts.len(), statements = ?recorded,
            commit = ?(started.elapsed() - recorded), "recorded a group");
        Ok::<_, Clash>(outcomes)
    };
    match together.await {
        Ok(outcomes) => outcomes,
        Err(clash) if attempts.len() == 1 => vec![clash.outcome()],
        Err(_) => {
            let mut outcomes = Vec::with_capacity(attempts.len());
            for attempt in &attempts {
                outcomes.push(record_alone(&db, attempt).await);
            }
            outcomes
        }
    }
}

async fn record_alone(db: &Db, attempt: &Attempt) -> Outcome {
    let mut tx = db.begin().await?;
    match record(&mut tx, std::slice::from_ref(attempt), false).await {
        Ok(mut outcomes) => {
            tx.commit().await?;
            outcomes
                .pop()
                .unwrap_or(Err(Failure::Internal("one order in, none out".into())))
        }
        Err(clash) => clash.outcome(),
    }
}

/// Why writes decided on rows read earlier in the transaction could not be made: a writer
/// outside the group changed those rows meanwhile, or the database failed.
enum Clash {
    /// The same dealer order number or idempotency key was used meanwhile.
    Duplicate,
    /// Stock, credit or a promotion budget was taken meanwhile.
    Taken,
    /// The draft being submitted is no longer a draft.
    Changed,
    Failed(Failure),
}

impl From<DbError> for Clash {
    fn from(error: DbError) -> Self {
        match error {
            DbError::UniqueViolation(_) => Clash::Duplicate,
            // Stock levels refuse to reserve more than is on hand.
            DbError::CheckViolation(_) => Clash::Taken,
            other => Clash::Failed(other.into()),
        }
    }
}

impl From<Failure> for Clash {
    fn from(failure: Failure) -> Self {
        Clash::Failed(failure)
    }
}

impl Clash {
    /// What the clash means for an order recorded alone.
    fn outcome(self) -> Outcome {
        match self {
            Clash::Duplicate => Ok(Recorded::Duplicate),
            Clash::Taken => Ok(Recorded::RaceLost),
            Clash::Changed => Err(Failure::Conflict {
                code: "order.changed_meanwhile",
            }),
            Clash::Failed(failure) => Err(failure),
        }
    }
}

/// What the checks decided for one order.
struct Plan {
    state: OrderState,
    /// The warehouse of each priced line.
    warehouses: Vec<i64>,
    /// The exposure the order takes (none on credit hold, nor for a draft).
    exposure_minor: i64,
    /// Whether it holds stock and promotion budgets (not a draft).
    holds: bool,
}

/// Checks and writes the attempts in the caller's transaction, answering each. With
/// `all_or_none`, nothing is written unless every attempt can be placed.
async fn record(tx: &mut Tx, attempts: &[Attempt], all_or_none: bool) -> Result<Vec<Outcome>, Clash> {
    let location_ids: Vec<i64> = distinct(attempts.iter().map(|a| a.order.delivery_location_id));
    let locations = store::delivery_locations(tx, &location_ids).await?;
    let mut available: HashMap<TenantId, Vec<Availability>> = HashMap::new();
    for tenant_id in distinct(attempts.iter().map(|a| a.actor.tenant_id)) {
        let products = distinct(
            attempts
                .iter()
                .filter(|a| a.actor.tenant_id == tenant_id)
                .flat_map(|a| a.draft.lines.iter().map(|l| l.product_id)),
        );
        available.insert(tenant_id, stock::availability(tx, tenant_id, &products).await?);
    }
    let mut credit = store::credit_standings(tx, &distinct(attempts.iter().map(|a| a.dealer_id.get()))).await?;
    let promotion_ids = distinct(attempts.iter().flat_map(|a| a.draft.uses.iter().map(|(id, _, _)| *id)));
    let mut budgets = store::promotion_budgets(tx, &promotion_ids).await?;
    let capped: BTreeSet<i64> = budgets.keys().copied().collect();

    let mut decisions = Vec::with_capacity(attempts.len());
    for attempt in attempts {
        let serving = locations
            .get(&attempt.order.delivery_location_id)
            .filter(|l| l.tenant_id == attempt.actor.tenant_id && l.dealer_id == attempt.dealer_id)
            .map(|l| l.warehouse_id);
        let tenant_available = available.entry(attempt.actor.tenant_id).or_default();
        decisions.push(decide(attempt, serving, tenant_available, &mut credit, &mut budgets));
    }
    if all_or_none && !decisions.iter().all(|d| matches!(d, Ok(Some(_)))) {
        // Those that could be placed wait with the others: an error or a lost race decides.
        return Ok(decisions
            .into_iter()
            .map(|decision| decision.map(|_| Recorded::RaceLost))
            .collect());
    }
    let ids = write(tx, attempts, &decisions, &capped).await?;
    Ok(decisions
        .into_iter()
        .zip(ids)
        .map(|(decision, id)| {
            let plan = decision?;
            Ok(match (plan, id) {
                (Some(plan), Some(order_id)) => Recorded::Placed(Placed {
                    order_id,
                    state: plan.state,
                    created: true,
                }),
                _ => Recorded::RaceLost,
            })
        })
        .collect())
}

fn distinct<T: Ord>(values: impl Iterator<Item = T>) -> Vec<T> {
    values.collect::<BTreeSet<_>>().into_iter().collect()
}

/// Checks one order against what the orders before it in the group left, and takes its share:
/// `Ok(None)` when it lost a race for promotion budget and must be priced afresh.
fn decide(
    attempt: &Attempt,
    serving: Option<Option<i64>>,
    available: &mut [Availability],
    credit: &mut HashMap<i64, CreditStanding>,
    budgets: &mut HashMap<i64, PromotionBudget>,
) -> Result<Option<Plan>, Failure> {
    let serving = serving.ok_or_else(|| Failure::field("delivery_location_id", "order.location_not_of_dealer"))?;
    let draft = &attempt.draft;
    let holds = attempt.writing != Writing::Draft;
    let wanted: Vec<(i64, i64)> = draft.lines.iter().map(|l| (l.product_id, l.quantity)).collect();
    let warehouses = match stock::allocate(&wanted, serving, available) {
        Ok(warehouses) => warehouses,
        // A draft reserves nothing: its lines note where they would come from today.
        Err(_) if !holds => wanted
            .iter()
            .map(|(product, _)| {
                serving
                    .or_else(|| {
                        available
                            .iter()
                            .find(|a| a.product_id == *product)
                            .map(|a| a.warehouse_id)
                    })
                    .ok_or_else(|| Failure::field("lines", "order.stock_insufficient"))
            })
            .collect::<Result<_, _>>()?,
        Err(shortages) => {
            let origins = line_origins(&draft.lines, &attempt.origins);
            let mut errors: Vec<FieldError> = Vec::with_capacity(shortages.len());
            for shortage in &shortages {
                let field = format!("lines[{}].quantity", origins.get(shortage.line).copied().unwrap_or(0));
                // Free goods short with the line that earned them are that line's one problem.
                if !errors.iter().any(|e| e.field == field) {
                    errors
                        .push(FieldError::new(field, "order.stock_insufficient").with("available", shortage.available));
                }
            }
            return Err(Failure::Invalid(errors));
        }
    };

    let gross = draft.gross_total()?.minor();
    let standing = credit
        .get(&attempt.dealer_id.get())
        .copied()
        .ok_or_else(|| Failure::Internal(format!("dealer {} has no credit row", attempt.dealer_id)))?;
    let within_limit = !holds || standing.allows(gross);
    if !within_limit && attempt.refuse_over_limit {
        return Err(Failure::Conflict {
            code: "order.credit_limit_exceeded",
        });
    }
    if holds {
        let covered = draft
            .uses
            .iter()
            .all(|(promotion, amount, units)| budgets.get(promotion).is_none_or(|b| b.covers(*amount, *units)));
        if !covered {
            return Ok(None);
        }
        for (promotion, amount, units) in &draft.uses {
            if let Some(budget) = budgets.get_mut(promotion) {
                budget.budget_used_minor += amount;
                budget.quantity_used += units;
            }
        }
        for ((product, quantity), warehouse) in wanted.iter().zip(&warehouses) {
            if let Some(a) = available
                .iter_mut()
                .find(|a| a.product_id == *product && a.warehouse_id == *warehouse)
            {
                a.available -= quantity;
            }
        }
    }
    let exposure_minor = if holds && within_limit { gross } else { 0 };
    if let Some(standing) = credit.get_mut(&attempt.dealer_id.get()) {
        standing.open_orders_minor += exposure_minor;
    }
    Ok(Some(Plan {
        state: match (holds, within_limit) {
            (false, _) => OrderState::Draft,
            (true, true) => OrderState::Submitted,
            (true, false) => OrderState::OnCreditHold,
        },
        warehouses,
        exposure_minor,
        holds,
    }))
}

/// Writes every order decided to be placed; answers the id of each (none for the others).
/// `capped` are the promotions whose budgets the orders count against.
async fn write(
    tx: &mut Tx,
    attempts: &[Attempt],
    decisions: &[Result<Option<Plan>, Failure>],
    capped: &BTreeSet<i64>,
) -> Result<Vec<Option<i64>>, Clash> {
    let placing: Vec<(&Attempt, &Plan)> = attempts
        .iter()
        .zip(decisions)
        .filter_map(|(attempt, decision)| match decision {
            Ok(Some(plan)) => Some((attempt, plan)),
            _ => None,
        })
        .collect();
    // The group's rows carry one time: the moment its first order was priced.
    let Some(now) = placing.first().map(|(attempt, _)| attempt.now) else {
        return Ok(vec![None; decisions.len()]);
    };
    let heads: Vec<(TenantId, NewOrder)> = placing
        .iter()
        .map(|(attempt, plan)| (attempt.actor.tenant_id, new_order(attempt, plan)))
        .collect();

    let mut new_ids = Vec::new();
    let inserting: Vec<(TenantId, NewOrder)> = heads
        .iter()
        .zip(&placing)
        .filter(|(_, (attempt, _))| !matches!(attempt.writing, Writing::Submitting(_)))
        .map(|((tenant, head), _)| (*tenant, head.clone()))
        .collect();
    if !inserting.is_empty() {
        new_ids = store::insert_orders(tx, &inserting, now).await?;
    }
    let mut new_ids = new_ids.into_iter();
    let mut ids = Vec::with_capacity(placing.len());
    for ((attempt, _), (_, head)) in placing.iter().zip(&heads) {
        match attempt.writing {
            Writing::Submitting(id) => {
                if !store::submit_draft(tx, id, head, now).await? {
                    return Err(Clash::Changed);
                }
                // The draft's lines were priced when it was saved; the order's are priced now.
                store::delete_lines(tx, id).await?;
                ids.push(id);
            }
            Writing::New | Writing::Draft => ids.push(
                new_ids
                    .next()
                    .ok_or(Clash::Failed(Failure::Internal("an inserted order has no id".into())))?,
            ),
        }
    }

    let mut lines = Vec::new();
    let mut reservations: HashMap<TenantId, Vec<(Option<UserId>, Movement)>> = HashMap::new();
    let mut uses = Vec::new();
    let mut exposures = Vec::new();
    for ((attempt, plan), order_id) in placing.iter().zip(&ids) {
        let tenant_id = attempt.actor.tenant_id;
        for (index, (line, warehouse)) in attempt.draft.lines.iter().zip(&plan.warehouses).enumerate() {
            let new_line = NewLine {
                line_number: index as i64 + 1,
                product_id: line.product_id,
                kind: if line.free {
                    "free"
                } else if line.bundle_of.is_some() {
                    "bundle_component"
                } else {
                    "regular"
                },
                bundle_product_id: line.bundle_of,
                quantity: line.quantity,
                unit_list_price_minor: line.unit_list_price.minor(),
                unit_net_price_minor: line.unit_net_price.minor(),
                line_total_minor: line.line_total.minor(),
                vat_rate_bp: attempt
                    .draft
                    .vat_rates
                    .get(&line.product_id)
                    .copied()
                    .unwrap_or_default(),
                promotions: serde_json::to_string(&line.applied).unwrap_or_else(|_| "[]".to_owned()),
                warehouse_id: *warehouse,
                delivery_on: attempt.order.requested_delivery_on,
            };
            if plan.holds {
                reservations.entry(tenant_id).or_default().push((
                    attempt.actor.user_id,
                    reservation(*warehouse, line.product_id, line.quantity, *order_id),
                ));
            }
            lines.push((tenant_id, *order_id, new_line));
        }
        if plan.holds {
            uses.extend(
                attempt
                    .draft
                    .uses
                    .iter()
                    .map(|(promotion, amount, units)| (tenant_id, *order_id, *promotion, *amount, *units)),
            );
        }
        if plan.exposure_minor != 0 {
            exposures.push((attempt.dealer_id, plan.exposure_minor));
        }
    }
    store::insert_lines(tx, &lines).await?;
    if !store::take_exposures(tx, &exposures, false).await? {
        return Err(Clash::Taken);
    }
    let taken: Vec<(i64, i64, i64)> = uses
        .iter()
        .filter(|(_, _, promotion, _, _)| capped.contains(promotion))
        .map(|(_, _, promotion, amount, units)| (*promotion, *amount, *units))
        .collect();
    if !store::take_promotions(tx, &taken).await? {
        return Err(Clash::Taken);
    }
    for (tenant_id, movements) in &reservations {
        let by: Vec<(Option<UserId>, &Movement)> = movements.iter().map(|(user, m)| (*user, m)).collect();
        if stock::apply_by(tx, *tenant_id, now, &by).await?.is_err() {
            return Err(Clash::Taken);
        }
    }
    store::insert_order_promotions(tx, &uses).await?;
    let events: Vec<(TenantId, i64, NewEvent)> = placing
        .iter()
        .zip(&ids)
        .map(|((attempt, plan), order_id)| {
            let note = (plan.holds && plan.state == OrderState::OnCreditHold).then_some("credit limit");
            let (kind, from) = match attempt.writing {
                Writing::Submitting(_) => ("submit", Some(OrderState::Draft)),
                Writing::New | Writing::Draft => ("placed", None),
            };
            (
                attempt.actor.tenant_id,
                *order_id,
                event(&attempt.actor, kind, from, Some(plan.state), note),
            )
        })
        .collect();
    store::insert_events(tx, &events, now).await?;

    let mut ids = ids.into_iter();
    Ok(decisions
        .iter()
        .map(|decision| match decision {
            Ok(Some(_)) => ids.next(),
            _ => None,
        })
        .collect())
}

fn new_order<'a>(attempt: &'a Attempt, plan: &Plan) -> NewOrder<'a> {
    let draft = &attempt.draft;
    NewOrder {
        dealer_id: attempt.dealer_id,
        dealer_order_number: &attempt.order.dealer_order_number,
        delivery_location_id: attempt.order.delivery_location_id,
        requested_delivery_on: attempt.order.requested_delivery_on,
        allow_adjust: attempt.order.allow_adjust,
        state: plan.state,
        channel: attempt.channel.code(),
        currency: draft.net_total.currency().code(),
        net_total_minor: draft.net_total.minor(),
        vat_total_minor: draft.vat_total.minor(),
        exposure_minor: plan.exposure_minor,
        comment: &attempt.order.comment,
        idempotency_key: attempt.idempotency_key.as_deref(),
        placed_by: attempt.actor.user_id,
    }
}

/// For each priced line, the index of the dealer's line it comes from: bundle components from
/// the bundle's line, free goods from the line that earned them.
fn line_origins(lines: &[pricing::promotions::PricedLine], origins: &[(i64, Option<i64>, i64)]) -> Vec<usize> {
    let index_of = |product: i64| origins.iter().position(|(id, _, _)| *id == product).unwrap_or(0);
    let mut last = 0;
    lines
        .iter()
        .map(|line| {
            if let Some(bundle) = line.bundle_of {
                last = index_of(bundle);
            } else if !line.free {
                last = index_of(line.product_id);
            }
            last
        })
        .collect()
}
