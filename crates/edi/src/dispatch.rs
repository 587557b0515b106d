//! Sends partners the documents about their orders: an ORDRSP when the order desk decides on
//! an order that came by EDI, a DESADV when goods leave for a partner.
//!
//! Ordering knows nothing of EDI. This job follows the orders' event log instead, from where
//! it stopped for each tenant, and writes each document in the same transaction that moves its
//! place in the log forward, so that every decision and shipment is answered exactly once,
//! however many servers run the job.

use std::sync::Arc;

use chrono::TimeDelta;
use platform::jobs::{self, Handler};
use platform::{Actor, Clock, Db, Failure, Locale, PageRequest, Query, TenantId};

use crate::commands::{queue_in, About};
use crate::domain::desadv::{write_desadv, DespatchAdvice, DespatchLine, Package};
use crate::domain::ordrsp::{write_ordrsp, OrderResponse, ResponseKind, ResponseLine};
use crate::domain::partner::{ExchangeStage, Partner};
use crate::store;

/// The recurring job that runs [`dispatch`] and then the folder channel's exchange.
pub const JOB_KIND: &str = "edi.dispatch";

/// How often the job looks for new decisions, shipments and files.
const EVERY: TimeDelta = TimeDelta::seconds(30);

/// Events read per tenant and run; the next run takes the rest.
const BATCH: i64 = 500;

pub fn job_handler(clock: Clock) -> Handler {
    Arc::new(move |db: Db, _job: jobs::Job| {
        let clock = clock.clone();
        Box::pin(async move {
            // Whatever happens in this run, the next one is scheduled: the job recurs for ever.
            if let Err(failure) = dispatch(&db, &clock).await {
                tracing::warn!(%failure, "EDI dispatch failed");
            }
            if let Err(failure) = crate::folders::exchange(&db, &clock).await {
                tracing::warn!(%failure, "EDI folder exchange failed");
            }
            jobs::ensure_queued(&db, JOB_KIND, clock.now() + EVERY)
                .await
                .map_err(|e| e.to_string())
        })
    })
}

/// An order event that may need a document: a decision or a shipment.
struct Event {
    id: i64,
    order_id: i64,
    kind: String,
    /// The delivery note's number, for a shipment.
    note: Option<String>,
    dealer_id: i64,
}

/// Writes what partners are owed, for every tenant with partners. Returns how many documents.
pub async fn dispatch(db: &Db, clock: &Clock) -> Result<usize, Failure> {
    let tenants: Vec<i64> = db
        .fetch_all(&Query::new(
            "SELECT DISTINCT tenant_id FROM edi_partners WHERE active = TRUE ORDER BY tenant_id",
        ))
        .await?
        .iter()
        .map(|row| row.get("tenant_id"))
        .collect::<Result<_, _>>()?;
    let mut written = 0;
    for tenant in tenants {
        // One tenant's trouble (its GLN not set, say) must not hold up the others; its events
        // wait where they are and are tried again on the next run.
        match dispatch_tenant(db, clock, TenantId(tenant)).await {
            Ok(count) => written += count,
            Err(failure) => tracing::warn!(tenant, %failure, "EDI documents could not be written"),
        }
    }
    Ok(written)
}

async fn dispatch_tenant(db: &Db, clock: &Clock, tenant_id: TenantId) -> Result<usize, Failure> {
    let cursor = store::dispatch_cursor(db, tenant_id).await?;
    let events = db
        .fetch_all(
            &Query::new(
                "SELECT e.id, e.order_id, e.kind, e.note, o.dealer_id FROM order_events e JOIN orders o ON o.id = e.order_id
                 WHERE e.tenant_id = $1 AND e.id > $2
                   AND o.dealer_id IN (SELECT p.dealer_id FROM edi_partners p WHERE p.tenant_id = $1 AND p.active = TRUE)
                   AND (e.kind = 'shipment'
                        OR (o.channel = 'edi' AND e.to_state IN ('confirmed', 'partially_confirmed', 'rejected')))
                 ORDER BY e.id LIMIT $3",
            )
            .bind(tenant_id)
            .bind(cursor)
            .bind(BATCH),
        )
        .await?
        .iter()
        .map(|row| {
            Ok(Event {
                id: row.get("id")?,
                order_id: row.get("order_id")?,
                kind: row.get("kind")?,
                note: row.get("note")?,
                dealer_id: row.get("dealer_id")?,
            })
        })
        .collect::<Result<Vec<_>, platform::DbError>>()?;
    let system = Actor::system(tenant_id);
    let mut from = cursor;
    let mut written = 0;
    for event in events {
        let Some(partner) = store::partner_of_dealer(db, tenant_id, event.dealer_id).await? else {
            continue;
        };
        match answer(db, clock, &system, &partner, &event, from).await {
            Ok(Some(document)) => {
                from = event.id;
                written += usize::from(document);
            }
            // Another server moved on meanwhile: what it wrote stands, this is dropped.
            Ok(None) => return Ok(written),
            Err(failure) => {
                // The tenant's later documents wait behind this one: whoever looks after EDI must
                // see why, not only the server's log.
                store::note_problem(
                    db,
                    partner.id,
                    ExchangeStage::Documents,
                    &failure.to_string(),
                    clock.now(),
                )
                .await?;
                return Err(failure);
            }
        }
    }
    store::clear_problems(db, tenant_id, None, ExchangeStage::Documents).await?;
    Ok(written)
}

/// Writes the document an event owes the partner, if any, and moves the tenant's place in the
/// log past it, in one transaction. `Some(whether a document was written)`, or `None` when
/// another server had moved the place meanwhile.
async fn answer(
    db: &Db,
    clock: &Clock,
    system: &Actor,
    partner: &Partner,
    event: &Event,
    from: i64,
) -> Result<Option<bool>, Failure> {
    let tenant_id = system.tenant_id;
    let mut tx = db.begin().await?;
    let now = clock.now();
    let document = if event.kind == "shipment" {
        match (partner.receives("DESADV"), &event.note) {
            (true, Some(number)) => {
                let advice = despatch_advice(db, system, partner, event.order_id, number).await?;
                let about = About {
                    document_number: Some(number),
                    order_id: Some(event.order_id),
                };
                queue_in(&mut tx, db, now, tenant_id, partner, "DESADV", about, |outbound| {
                    write_desadv(outbound, &advice)
                })
                .await?;
                true
            }
            _ => false,
        }
    } else if partner.receives("ORDRSP") {
        let response = order_response(db, system, partner, event.order_id).await?;
        let about = About {
            document_number: Some(&response.order_number),
            order_id: Some(event.order_id),
        };
        let answer = queue_in(&mut tx, db, now, tenant_id, partner, "ORDRSP", about, |outbound| {
            write_ordrsp(outbound, &response)
        })
        .await?;
        // The ORDERS is answered at the application level by this business reply.
        store::answer_orders(&mut tx, event.order_id, answer).await?;
        true
    } else {
        false
    };
    if !store::advance_dispatch_cursor(&mut tx, tenant_id, from, event.id).await? {
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(document))
}

async fn order_response(db: &Db, system: &Actor, partner: &Partner, order_id: i64) -> Result<OrderResponse, Failure> {
    let order = ordering::queries::order(db, system, Locale::En, order_id).await?;
    let glns = store::order_glns(db, order_id).await?;
    let kind = match order.summary.state.code() {
        "rejected" => ResponseKind::Rejected,
        _ if order.lines.iter().any(|l| {
            l.confirmed_quantity != Some(l.quantity) || l.delivery_on != order.summary.requested_delivery_on
        }) =>
        {
            ResponseKind::Changed
        }
        _ => ResponseKind::Accepted,
    };
    let lines = order
        .lines
        .iter()
        .map(|line| ResponseLine {
            line_number: u32::try_from(line.line_number).unwrap_or_default(),
            gtin: line.gtin.clone(),
            sku: line.sku.clone(),
            ordered: line.quantity,
            confirmed: line.confirmed_quantity.unwrap_or(0),
            delivery_on: Some(line.delivery_on),
            net_price: line.unit_net_price.clone(),
            reason: line.change_reason.clone(),
        })
        .collect();
    Ok(OrderResponse {
        document_number: format!("RSP-{order_id}"),
        order_number: order.summary.dealer_order_number.clone(),
        kind,
        buyer_gln: glns.dealer.unwrap_or_else(|| partner.interchange_id.clone()),
        supplier_gln: glns.tenant.unwrap_or_default(),
        delivery_gln: glns.delivery_location,
        delivery_on: Some(order.summary.requested_delivery_on),
        reason: order.decision_reason.clone(),
        currency: order.summary.currency.clone(),
        lines,
    })
}

async fn despatch_advice(
    db: &Db,
    system: &Actor,
    partner: &Partner,
    order_id: i64,
    number: &str,
) -> Result<DespatchAdvice, Failure> {
    let order = ordering::queries::order(db, system, Locale::En, order_id).await?;
    let all = PageRequest::new(Some(1), Some(platform::page::MAX_PER_PAGE));
    let shipment = fulfilment::queries::shipments(db, system, Some(order_id), all)
        .await?
        .items
        .into_iter()
        .find(|s| s.number == number)
        .ok_or(Failure::NotFound { entity: "shipment" })?;
    let glns = store::order_glns(db, order_id).await?;
    let gtin_of = |line_number: i64| {
        order
            .lines
            .iter()
            .find(|l| l.line_number == line_number)
            .map(|l| l.gtin.clone())
            .unwrap_or_default()
    };
    let packages = shipment
        .packages
        .iter()
        .map(|sscc| Package {
            sscc: sscc.clone(),
            lines: shipment
                .lines
                .iter()
                .filter(|l| &l.sscc == sscc)
                .enumerate()
                .map(|(index, l)| DespatchLine {
                    line_number: u32::try_from(index + 1).unwrap_or_default(),
                    gtin: gtin_of(l.order_line_number),
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    batch: l.batch.clone(),
                    expiry_on: l.expiry_on,
                    order_line_number: l.order_line_number,
                })
                .collect(),
        })
        .collect();
    Ok(DespatchAdvice {
        document_number: shipment.number.clone(),
        order_number: shipment.dealer_order_number.clone(),
        shipped_at: shipment.shipped_at,
        planned_arrival_on: shipment.planned_arrival_on,
        buyer_gln: glns.dealer.unwrap_or_else(|| partner.interchange_id.clone()),
        supplier_gln: glns.tenant.unwrap_or_default(),
        delivery_gln: glns.delivery_location,
        ship_from_gln: store::shipment_warehouse_gln(db, shipment.id).await?,
        vehicle: Some(shipment.vehicle.clone()).filter(|v| !v.is_empty()),
        packages,
    })
}
