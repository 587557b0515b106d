//! The large demo's open orders: every active distributor has placed ten orders of ten lines
//! that the order desk has still to confirm, so that the order tables, the desk's queue and the
//! reports start with volume, and the databases plan their statements for tables that hold orders.
//! Each order goes through `place_order`, with every check a dealer's order meets.

use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use identity::queries::UserFilter;
use ordering::domain::{Channel, OrderInput, OrderLineInput};
use platform::{Actor, Clock, DataScope, Db, DealerAudience, DealerId, Failure, Locale, PageRequest, Role};
use tokio::task::JoinSet;

use crate::large::{Sequence, DEALERS};
use crate::DemoError;

/// The distributors, the first fifth of the dealers, place the orders.
pub const ORDERING_DEALERS: usize = DEALERS / 5;
pub const ORDERS_PER_DEALER: usize = 10;
const LINES: usize = 10;
/// Dealers placing at the same moment, as the portal's users would.
const AT_ONCE: usize = 64;

/// One dealer's buyer, as the portal knows them when they place an order.
struct Buyer {
    actor: Actor,
    audience: DealerAudience,
    location_id: i64,
    /// The dealer's number in the large demo (`D-00042` is 42).
    serial: usize,
}

/// Places the open orders, a round of one order per dealer at a time; returns how many were
/// placed.
pub async fn seed_open_orders(
    db: &Db,
    clock: &Clock,
    system: &Actor,
    dealers: &[DealerId],
    products: &[i64],
) -> Result<usize, DemoError> {
    let mut buyers = Vec::new();
    for (index, dealer_id) in dealers.iter().enumerate().take(ORDERING_DEALERS) {
        let serial = index + 1;
        // Every fiftieth dealer is suspended and may not order.
        if !serial.is_multiple_of(50) {
            buyers.push(buyer(db, system, *dealer_id, serial).await?);
        }
    }
    let today = ordering::commands::tenant_today(db, clock, system).await?;
    let buyers: Arc<[Buyer]> = buyers.into();
    let products: Arc<[i64]> = products.into();
    for round in 0..ORDERS_PER_DEALER {
        let mut placing = JoinSet::new();
        for first in 0..AT_ONCE {
            let (db, clock, buyers, products) = (db.clone(), clock.clone(), buyers.clone(), products.clone());
            placing.spawn(async move {
                for buyer in buyers.iter().skip(first).step_by(AT_ONCE) {
                    let input = open_order(buyer, round, today, &products);
                    ordering::commands::place_order(
                        &db,
                        &clock,
                        &buyer.actor,
                        &buyer.audience,
                        &input,
                        Channel::Portal,
                        None,
                    )
                    .await?;
                }
                Ok::<_, Failure>(())
            });
        }
        while let Some(done) = placing.join_next().await {
            done.map_err(|e| DemoError::Data(format!("placing open orders stopped: {e}")))??;
        }
        // As autovacuum would after so many new rows.
        db.refresh_statistics().await?;
    }
    Ok(buyers.len() * ORDERS_PER_DEALER)
}

/// The `round`th order of a buyer: ten distinct products, in sixes.
fn open_order(buyer: &Buyer, round: usize, today: NaiveDate, products: &[i64]) -> OrderInput {
    let mut sequence = Sequence(((buyer.serial as u64) << 8) + round as u64 + 1);
    let mut lines: Vec<OrderLineInput> = Vec::with_capacity(LINES);
    while lines.len() < LINES {
        let product_id = Some(*sequence.pick(products));
        if lines.iter().all(|l| l.product_id != product_id) {
            lines.push(OrderLineInput {
                product_id,
                product_code: None,
                quantity: 6 * (1 + sequence.below(20) as i64),
            });
        }
    }
    OrderInput {
        dealer_order_number: format!("PO-{:05}-{:03}", buyer.serial, round + 1),
        delivery_location_id: buyer.location_id,
        requested_delivery_on: today + TimeDelta::days(3 + (round % 5) as i64),
        allow_adjust: round.is_multiple_of(2),
        comment: None,
        lines,
        draft: false,
    }
}

async fn buyer(db: &Db, system: &Actor, dealer_id: DealerId, serial: usize) -> Result<Buyer, DemoError> {
    let login = format!("buyer.{serial:05}@dealers.demo.test");
    let filter = UserFilter {
        search: Some(login.clone()),
        dealer_id: Some(dealer_id),
        ..UserFilter::default()
    };
    let user = identity::queries::users(db, system, &filter, PageRequest::default())
        .await?
        .items
        .into_iter()
        .find(|u| u.login == login)
        .ok_or_else(|| DemoError::Data(format!("no user {login}")))?;
    let location_id = identity::queries::dealer(db, system, dealer_id)
        .await?
        .locations
        .first()
        .map(|l| l.id)
        .ok_or_else(|| DemoError::Data(format!("dealer {serial} has no delivery location")))?;
    let actor = Actor {
        tenant_id: system.tenant_id,
        user_id: Some(user.id),
        display_name: user.display_name,
        roles: vec![Role::Purchaser],
        scope: DataScope::Dealer {
            dealer_id,
            with_tier2: false,
        },
        // Every third dealer is Chinese.
        locale: if serial.is_multiple_of(3) {
            Locale::Zh
        } else {
            Locale::Ru
        },
        audience: None,
    };
    let audience = identity::queries::dealer_audience(db, &actor, None).await?;
    Ok(Buyer {
        actor,
        audience,
        location_id,
        serial,
    })
}
