//! Ordering speed on the large demo tenant.
//!
//! Prepare the tenant once, then run the benchmark against it:
//!
//! ```sh
//! cargo run --release -- demo --scale large --database-url sqlite:large.db
//! DEALERPORT_BENCH_DATABASE_URL=sqlite:large.db cargo bench -p dealerport --bench ordering
//! ```
//!
//! It places 10-line orders with every check (publication, prices and promotions, stock
//! reservation, credit, order amount limits, duplicates) for 64 dealers at once: in-process, then
//! over HTTP on a local socket with 64 concurrent clients. It prints the throughput and the p50 and
//! p99 latency of each, and the time to price a 500-line cart.
//!
//! `DEALERPORT_LOG=sql=debug,sqlx=debug` logs every statement with its time to standard error, and
//! `DEALERPORT_BENCH_ALONE=1` stops after the orders placed one at a time and the carts priced,
//! for such a look. `DEALERPORT_LOG=ordering::group_commit=debug` logs each group the writer
//! records: how many orders, how long its statements took and how long its commit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use ordering::domain::Channel;
use platform::Clock;
use support::{order_input, summary};
use testkit::http::request;
use testkit::Sequence;

mod support;

const CLIENTS: usize = 64;
const ORDERS: usize = 6_400;
const LINES: usize = 10;
const CART_LINES: usize = 500;
const CARTS: usize = 300;

/// `count` distinct products with an orderable quantity each.
fn lines(products: &[(i64, i64)], sequence: &mut Sequence, count: usize) -> Vec<(i64, i64)> {
    let mut chosen: Vec<(i64, i64)> = Vec::with_capacity(count);
    while chosen.len() < count {
        let (id, minimum) = products[sequence.below(products.len())];
        if !chosen.iter().any(|(c, _)| *c == id) {
            chosen.push((id, minimum * (1 + sequence.below(3) as i64)));
        }
    }
    chosen
}

fn main() {
    support::run(run());
}

async fn run() {
    let db = support::open_database().await;
    let clock = Clock::system();
    let mut buyers = Vec::new();
    for n in 0..CLIENTS {
        buyers.push(support::buyer(&db, &clock, n).await);
    }
    let products = support::orderable_products(&db).await;
    let products = Arc::new(products);
    let run = Utc::now().timestamp();
    println!(
        "database: {} · {CLIENTS} dealers at once · {ORDERS} orders of {LINES} lines",
        db.backend_name()
    );

    // Warm-up: fills the connection pool and the statement caches.
    for (n, buyer) in buyers.iter().enumerate() {
        let mut sequence = Sequence(0x0dd5_eed0 + n as u64);
        let input = order_input(
            format!("WARM-{run}-{n}"),
            buyer.location,
            &lines(&products, &mut sequence, LINES),
        );
        ordering::commands::place_order(&db, &clock, &buyer.actor, &buyer.audience, &input, Channel::Api, None)
            .await
            .unwrap();
    }

    support::analyze_as_autovacuum_would(&db).await;

    // One order at a time: what an order costs when nothing else runs.
    let mut alone = Vec::new();
    let buyer = &buyers[0];
    let mut sequence = Sequence(0xa10e_0000);
    let started = Instant::now();
    for n in 0..200 {
        let input = order_input(
            format!("ALONE-{run}-{n}"),
            buyer.location,
            &lines(&products, &mut sequence, LINES),
        );
        let placed = Instant::now();
        ordering::commands::place_order(&db, &clock, &buyer.actor, &buyer.audience, &input, Channel::Api, None)
            .await
            .unwrap();
        alone.push(placed.elapsed());
    }
    summary(
        "place a 10-line order (in-process, one at a time)",
        alone,
        Some(started.elapsed()),
    );

    let mut pricing = Vec::new();
    // Enough carts for a p99 that is not simply the slowest of a few.
    for (n, buyer) in buyers.iter().cycle().take(CARTS).enumerate() {
        let mut sequence = Sequence(0xca27_0000 + n as u64);
        let cart: Vec<(i64, Option<i64>, i64)> = lines(&products, &mut sequence, CART_LINES)
            .into_iter()
            .map(|(product, quantity)| (product, None, quantity))
            .collect();
        let started = Instant::now();
        // A cart reads the tenant's revisions itself; an order takes them with its terms.
        let revisions = pricing::Revisions::read(&db, buyer.actor.tenant_id).await.unwrap();
        let draft = ordering::commands::price(
            &db,
            &buyer.actor,
            &buyer.audience,
            revisions,
            &cart,
            // Nothing known beforehand: the line facts are read with the prices.
            &Default::default(),
            Utc::now().date_naive(),
        )
        .await
        .unwrap();
        pricing.push(started.elapsed());
        assert!(draft.lines.len() >= CART_LINES);
    }
    summary("price a 500-line cart (in-process)", pricing, None);

    if std::env::var_os("DEALERPORT_BENCH_ALONE").is_some() {
        return;
    }

    let buyers = Arc::new(buyers);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let (db, clock, buyers, products) = (db.clone(), clock.clone(), buyers.clone(), products.clone());
        tasks.spawn(async move {
            let buyer = &buyers[client];
            let mut sequence = Sequence(0x5eed_0000 + client as u64);
            let mut latencies = Vec::new();
            for n in 0..ORDERS / CLIENTS {
                let input = order_input(
                    format!("BENCH-{run}-{client}-{n}"),
                    buyer.location,
                    &lines(&products, &mut sequence, LINES),
                );
                let placed = Instant::now();
                ordering::commands::place_order(&db, &clock, &buyer.actor, &buyer.audience, &input, Channel::Api, None)
                    .await
                    .unwrap();
                latencies.push(placed.elapsed());
            }
            latencies
        });
    }
    let latencies: Vec<Duration> = tasks.join_all().await.into_iter().flatten().collect();
    summary("place a 10-line order (in-process)", latencies, Some(started.elapsed()));

    let app = web::router(web::AppState {
        db: db.clone(),
        clock: clock.clone(),
        secure_cookies: false,
        direct_export_rows: platform::page::MAX_EXPORT_ROWS,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await.unwrap() });
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let (buyers, products, address) = (buyers.clone(), products.clone(), address.clone());
        tasks.spawn(async move {
            let buyer = &buyers[client];
            let bearer = format!("Bearer {}", buyer.token);
            let mut sequence = Sequence(0xfeed_0000 + client as u64);
            let mut latencies = Vec::new();
            for n in 0..ORDERS / CLIENTS {
                let lines: Vec<serde_json::Value> = lines(&products, &mut sequence, LINES)
                    .iter()
                    .map(|(product, quantity)| serde_json::json!({ "product_id": product, "quantity": quantity }))
                    .collect();
                let body = serde_json::json!({
                    "dealer_order_number": format!("HTTP-{run}-{client}-{n}"),
                    "delivery_location_id": buyer.location,
                    "requested_delivery_on": (Utc::now().date_naive() + TimeDelta::days(7)).to_string(),
                    "lines": lines,
                })
                .to_string();
                let placed = Instant::now();
                let response = request(
                    &address,
                    "POST",
                    "/api/v1/orders",
                    &[("Authorization", &bearer), ("Content-Type", "application/json")],
                    &body,
                )
                .await;
                latencies.push(placed.elapsed());
                assert_eq!(response.status, 201, "{}", response.body);
            }
            latencies
        });
    }
    let latencies: Vec<Duration> = tasks.join_all().await.into_iter().flatten().collect();
    summary(
        "POST /api/v1/orders, 10 lines (HTTP, 64 clients)",
        latencies,
        Some(started.elapsed()),
    );
}
